import type { WebSocket } from 'ws';

/**
 * One WebSocket frame built once and written to many sockets: the live relay's fan-out.
 *
 * `ws`'s `send()` frames every message again for every socket: an options object, a new
 * header buffer and a corked write of two buffers (header, payload), that is a `writev`. A
 * fragment relayed to N viewers is the same bytes on every socket, because a server's frames
 * are not masked (RFC 6455 §5.1), so {@link FrameCache} builds the frame once (header and
 * payload in one buffer) and each viewer's socket gets one plain write of it.
 */

/** Bytes of the header of an unmasked frame whose payload is `length` bytes: 2, 4 or 10 (RFC 6455 §5.2). */
export function frameHeaderBytes(length: number): number {
  return length < 126 ? 2 : length <= 0xffff ? 4 : 10;
}

/**
 * Writes the header of one whole binary message at the start of `target`: FIN set, opcode 0x2
 * (binary), no RSV bits, no mask, then the payload length in 7, 7+16 or 7+64 bits (RFC 6455
 * §5.2). `target` must hold {@link frameHeaderBytes}(length) bytes.
 * @param length payload bytes, a whole number below 2^53
 * @returns the header's size in bytes
 */
export function writeBinaryFrameHeader(target: Buffer, length: number): number {
  const headerBytes = frameHeaderBytes(length);
  target[0] = 0x82; // FIN + binary
  if (headerBytes === 2) {
    target[1] = length;
  } else if (headerBytes === 4) {
    target[1] = 126;
    target.writeUInt16BE(length, 2);
  } else {
    target[1] = 127;
    target.writeUInt32BE(Math.floor(length / 0x1_0000_0000), 2);
    target.writeUInt32BE(length >>> 0, 6);
  }
  return headerBytes;
}

/** The whole frame of one binary message, header and payload copied into one new buffer. */
export function binaryFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(frameHeaderBytes(payload.byteLength) + payload.byteLength);
  frame.set(payload, writeBinaryFrameHeader(frame, payload.byteLength));
  return frame;
}

/** The parts of a `ws` socket a pre-built frame is written through (`ws` 8: not in its typings). */
interface WsInternals {
  _socket?: { write(chunk: Uint8Array): boolean; cork(): void; uncork(): void } | null;
  _sender?: { _state?: number; _queue?: unknown[]; _firstFragment?: boolean } | null;
}

/**
 * Sends shared binary messages to many `ws` sockets, framing each message once. The first
 * socket a message goes to gets a new header and the message itself (two writes, corked: no
 * copy, as `ws` does); when the same message (by identity: the relay sends one buffer to each
 * viewer of a stream in turn) goes to a second socket, the whole frame is built once and every
 * further socket gets one write of it. A stream with one viewer so costs no copy; one with
 * many, one copy. The message buffers must not change after they are first sent (the relay's
 * units never do). Holds one frame at most (the last message's size plus 10 bytes).
 *
 * Order is kept with the socket's other messages (`ws.send` for text and replays): both write
 * to the socket at once, in call order. The message goes through `ws`'s own `send` instead
 * when `ws` would queue it (its sender is busy with a compressed message or a Blob, which
 * Vigil never sends), a fragmented message is half sent, or its internals are not there
 * (another `ws` version). `bufferedAmount` counts it either way (it reads the socket's queue).
 */
export class FrameCache {
  private lastMessage: Uint8Array | null = null;
  private lastFrame: Buffer | null = null;
  /** Whole frames built (one per message sent to two sockets or more). */
  framesBuilt = 0;
  /** Messages written by this cache; those that went through `ws.send` are not counted. */
  framesWritten = 0;

  /** Sends `message` as one binary message; a socket that is not open drops it, as `wsSend` does. */
  send(socket: WebSocket, message: Uint8Array): void {
    if (socket.readyState !== 1 /* OPEN */) return;
    const internals = socket as unknown as WsInternals;
    const raw = internals._socket;
    const sender = internals._sender;
    if (!raw || !sender || sender._state !== 0 || sender._firstFragment !== true || (sender._queue?.length ?? 0) > 0) {
      socket.send(message, { binary: true });
      return;
    }
    this.framesWritten++;
    if (message === this.lastMessage) {
      if (this.lastFrame === null) {
        this.lastFrame = binaryFrame(message);
        this.framesBuilt++;
      }
      raw.write(this.lastFrame);
      return;
    }
    this.lastMessage = message;
    this.lastFrame = null;
    const header = Buffer.allocUnsafe(frameHeaderBytes(message.byteLength));
    writeBinaryFrameHeader(header, message.byteLength);
    raw.cork();
    raw.write(header);
    raw.write(message);
    raw.uncork();
  }

  /** Forgets the cached frame (memory back at shutdown). */
  clear(): void {
    this.lastMessage = null;
    this.lastFrame = null;
  }
}
