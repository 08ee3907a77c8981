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

/** How long a server-initiated close waits for the peer's close frame before the socket is destroyed, ms. */
export const CLOSE_GRACE_MS = 5_000;

/**
 * Starts the closing handshake (RFC 6455 §7.1.2) and destroys the socket if the peer has not
 * answered within `graceMs` (a half-open or unread peer would otherwise hold the socket and
 * its send buffer for `ws`'s own 30 s). Never throws; a closed socket is left alone.
 */
export function wsClose(socket: WebSocket, code: number, reason: string, graceMs = CLOSE_GRACE_MS): void {
  if (socket.readyState === 3 /* CLOSED */) return;
  try {
    socket.close(code, reason);
  } catch {
    socket.terminate();
    return;
  }
  const timer = setTimeout(() => socket.terminate(), graceMs);
  timer.unref?.();
  socket.once('close', () => clearTimeout(timer));
}
