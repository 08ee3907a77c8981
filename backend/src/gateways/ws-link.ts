import type { WebSocket, RawData } from 'ws';
import { MEDIA_HEADER_BYTES, MediaFlags, encodeMediaHeader, readMediaHeader } from '@vigil/protocol';

/** Normalises what `ws` hands to a 'message' listener into one Uint8Array (no copy for the usual single Buffer). */
export function rawDataToBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/** Sends text or shared binary buffers on a `ws` socket; a closed socket silently drops. */
export function wsSend(socket: WebSocket, data: string | Uint8Array): void {
  if (socket.readyState !== 1 /* OPEN */) return;
  socket.send(data, { binary: typeof data !== 'string' });
}

/**
 * Sends a stored media message again with the REPLAY flag, leaving the shared buffer
 * untouched: a fresh 16-byte header (FIN = 0) and the stored payload as the continuation
 * frame (FIN = 1) form one WebSocket message (RFC 6455 §5.4). No payload copy.
 */
export function wsSendReplay(socket: WebSocket, message: Uint8Array): void {
  if (socket.readyState !== 1 /* OPEN */) return;
  const header = readMediaHeader(message);
  socket.send(encodeMediaHeader({ ...header, flags: header.flags | MediaFlags.Replay }), { binary: true, fin: false });
  socket.send(message.subarray(MEDIA_HEADER_BYTES), { binary: true, fin: true });
}
