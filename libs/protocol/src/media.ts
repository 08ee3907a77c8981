import { MAX_CHANNEL, MAX_MEDIA_MESSAGE_BYTES, MAX_SEQUENCE, PROTOCOL_VERSION } from './constants';
import { ProtocolError } from './errors';

/**
 * Size of the binary media message header, in bytes.
 *
 * ```text
 * offset size field
 *      0    1 kind      u8   1 = init segment, 2 = fragment
 *      1    1 version   u8   PROTOCOL_VERSION (1)
 *      2    2 flags     u16  bit 0 JOIN, bit 1 REPLAY, bits 2-15 zero
 *      4    4 channel   u32  server -> Proctor: stream channel (>= 1); Sentinel -> server: 0
 *      8    8 sequence  u64  1 .. 2^53-1, per stream, init segments and fragments share it
 *     16    n payload        the init segment or fragment bytes, unchanged (n >= 1)
 * ```
 * All integers big-endian (network byte order).
 */
export const MEDIA_HEADER_BYTES = 16;

/** Byte 0 of a media message: what the payload is. */
export enum MediaKind {
  /** Payload is an fMP4 init segment (`ftyp` + `moov`). */
  InitSegment = 1,
  /** Payload is one fMP4 fragment (`[prft]` + `moof` + `mdat`). */
  Fragment = 2,
}

/** Bits of the 16-bit flags field (bytes 2-3) of a media message. */
export const MediaFlags = {
  /** Bit 0: the fragment starts with an IDR frame (a viewer can start decoding here). Fragments only. */
  Join: 1,
  /** Bit 1: sent from the server's memory buffer when a viewer joined, not live. Server -> Proctor only. */
  Replay: 2,
} as const;

/** Every flag bit this protocol version defines; the other bits must be 0. */
export const MEDIA_FLAGS_MASK = MediaFlags.Join | MediaFlags.Replay;

/** The decoded 16-byte header of a binary media message. */
export interface MediaHeader {
  /** Byte 0: init segment or fragment. */
  kind: MediaKind;
  /** Bytes 2-3: {@link MediaFlags} bits (0..3). */
  flags: number;
  /** Bytes 4-7, u32: the stream's channel on a Proctor connection (>= 1); 0 on Sentinel uploads. */
  channel: number;
  /** Bytes 8-15, u64 limited to 1..2^53-1: the stream's sequence number. */
  sequence: number;
}

/** A decoded binary media message. */
export interface MediaMessage {
  header: MediaHeader;
  /** The fMP4 bytes: a subarray of the input (same `buffer`, no copy), at least 1 byte. */
  payload: Uint8Array;
}

/**
 * Which way a media message travels, for the direction-specific checks of
 * {@link decodeMediaMessage}:
 * - `sentinel-to-server`: channel must be 0 and REPLAY clear.
 * - `server-to-proctor`: channel must be >= 1.
 */
export type MediaDirection = 'sentinel-to-server' | 'server-to-proctor';

/** Options of {@link decodeMediaMessage} and {@link readMediaHeader}. */
export interface DecodeMediaOptions {
  /** Also check the rules of this direction; default: only the rules common to both. */
  direction?: MediaDirection;
}

/** Size of the header in bytes: always {@link MEDIA_HEADER_BYTES} (16) in protocol version 1. */
export function mediaHeaderByteLength(): number {
  return MEDIA_HEADER_BYTES;
}

/** Size of a whole media message carrying `payloadByteLength` bytes of fMP4: 16 + payload, in bytes. */
export function mediaMessageByteLength(payloadByteLength: number): number {
  return MEDIA_HEADER_BYTES + payloadByteLength;
}

/** True when `flag` (one of {@link MediaFlags}) is set in `flags`. */
export function hasMediaFlag(flags: number, flag: number): boolean {
  return (flags & flag) === flag;
}

/**
 * Write the 16-byte header for `header` into `view` at byte `offset`
 * (big-endian, version {@link PROTOCOL_VERSION}). Writes nothing else.
 *
 * @throws TypeError when a header field is invalid (the message names it).
 * @throws RangeError when `view` has fewer than 16 bytes from `offset`.
 */
export function writeMediaHeader(view: DataView, offset: number, header: MediaHeader): void {
  checkHeader(header);
  if (!Number.isInteger(offset) || offset < 0 || offset + MEDIA_HEADER_BYTES > view.byteLength) {
    throw new RangeError(
      `writeMediaHeader: offset ${offset} leaves no room for the ${MEDIA_HEADER_BYTES}-byte header ` +
        `in a ${view.byteLength}-byte view`,
    );
  }
  view.setUint8(offset, header.kind);
  view.setUint8(offset + 1, PROTOCOL_VERSION);
  view.setUint16(offset + 2, header.flags);
  view.setUint32(offset + 4, header.channel);
  view.setUint32(offset + 8, Math.floor(header.sequence / 0x1_0000_0000)); // high 32 bits, <= 0x1FFFFF
  view.setUint32(offset + 12, header.sequence % 0x1_0000_0000); // low 32 bits
}

/**
 * The 16-byte header alone, in a new buffer.
 *
 * For sending a message as two WebSocket frames without copying the payload:
 * this header as the first frame (FIN = 0) and the shared payload as the
 * continuation frame (FIN = 1); the receiver sees one message
 * (RFC 6455 §5.4, fragmentation; with `ws`: `send(header, { fin: false })`
 * then `send(payload, { fin: true })`).
 *
 * @throws TypeError when a header field is invalid.
 */
export function encodeMediaHeader(header: MediaHeader): Uint8Array {
  const out = new Uint8Array(MEDIA_HEADER_BYTES);
  writeMediaHeader(new DataView(out.buffer), 0, header);
  return out;
}

/**
 * A whole media message: the 16-byte header followed by `payload`, in one new
 * buffer (one allocation, the payload copied once). Send it as one binary
 * WebSocket message (opcode 0x2, RFC 6455 §5.6).
 *
 * @throws TypeError when a header field is invalid or `payload` is empty.
 * @throws RangeError when the message would exceed {@link MAX_MEDIA_MESSAGE_BYTES}.
 */
export function encodeMediaMessage(header: MediaHeader, payload: Uint8Array): Uint8Array {
  if (payload.byteLength === 0) {
    throw new TypeError('encodeMediaMessage: payload must not be empty (pass the init segment or fragment bytes)');
  }
  const total = mediaMessageByteLength(payload.byteLength);
  if (total > MAX_MEDIA_MESSAGE_BYTES) {
    throw new RangeError(
      `encodeMediaMessage: message would be ${total} bytes, over MAX_MEDIA_MESSAGE_BYTES (${MAX_MEDIA_MESSAGE_BYTES}): ` +
        'lower the resolution or bitrate',
    );
  }
  const out = new Uint8Array(total);
  writeMediaHeader(new DataView(out.buffer), 0, header);
  out.set(payload, MEDIA_HEADER_BYTES);
  return out;
}

/**
 * Decode and validate the 16-byte header at the start of `data` (which may be
 * the header alone or a whole message). Checks, in order: length >= 16,
 * version == 1 (else `unsupported-version`), known kind, no reserved flag
 * bits, JOIN only on fragments, sequence 1..2^53-1, and the `direction` rules.
 *
 * @throws ProtocolError with the code `bad-message` or `unsupported-version`.
 */
export function readMediaHeader(data: Uint8Array, options: DecodeMediaOptions = {}): MediaHeader {
  if (data.byteLength < MEDIA_HEADER_BYTES) throw ProtocolError.tooShort(data.byteLength, MEDIA_HEADER_BYTES);
  const view = new DataView(data.buffer, data.byteOffset, MEDIA_HEADER_BYTES);

  const version = view.getUint8(1);
  if (version !== PROTOCOL_VERSION) throw ProtocolError.unsupportedVersion(version);

  const kind = view.getUint8(0);
  if (kind !== MediaKind.InitSegment && kind !== MediaKind.Fragment) throw ProtocolError.unknownKind(kind);

  const flags = view.getUint16(2);
  if ((flags & ~MEDIA_FLAGS_MASK) !== 0) throw ProtocolError.reservedFlags(flags, MEDIA_FLAGS_MASK);
  if (kind === MediaKind.InitSegment && hasMediaFlag(flags, MediaFlags.Join)) {
    throw ProtocolError.badMessage(
      'media header flags (bytes 2-3) set JOIN on an init segment; JOIN marks fragments that start with an IDR frame',
    );
  }

  const channel = view.getUint32(4);

  const high = view.getUint32(8);
  const low = view.getUint32(12);
  if (high > 0x1f_ffff) {
    throw ProtocolError.badSequence(`is above 2^53-1 (high word 0x${high.toString(16)})`);
  }
  const sequence = high * 0x1_0000_0000 + low;
  if (sequence === 0) throw ProtocolError.badSequence('is 0');

  if (options.direction === 'sentinel-to-server') {
    if (channel !== 0) throw ProtocolError.badChannel(`is ${channel}; a Sentinel sends channel 0`);
    if (hasMediaFlag(flags, MediaFlags.Replay)) {
      throw ProtocolError.badMessage(
        'media header flags (bytes 2-3) set REPLAY on a Sentinel upload; only the server sets REPLAY (a resend is not a replay)',
      );
    }
  } else if (options.direction === 'server-to-proctor' && channel === 0) {
    throw ProtocolError.badChannel('is 0; the server sends the channel from `subscribed.channel` (>= 1)');
  }

  return { kind, flags, channel, sequence };
}

/**
 * Decode and validate one binary media message: the header checks of
 * {@link readMediaHeader}, then a non-empty payload and a total size of at
 * most {@link MAX_MEDIA_MESSAGE_BYTES} (checked first). Never reads past the
 * end of `data`.
 *
 * The payload is `data.subarray(16)`: no copy, same `buffer`. Copy it
 * (`payload.slice()`) if `data`'s memory will be reused.
 *
 * @throws ProtocolError with the code `bad-message` or `unsupported-version`.
 */
export function decodeMediaMessage(data: Uint8Array, options: DecodeMediaOptions = {}): MediaMessage {
  if (data.byteLength > MAX_MEDIA_MESSAGE_BYTES) {
    throw ProtocolError.tooLarge(data.byteLength, MAX_MEDIA_MESSAGE_BYTES, 'media message');
  }
  const header = readMediaHeader(data, options);
  if (data.byteLength === MEDIA_HEADER_BYTES) {
    throw ProtocolError.emptyPayload(header.kind === MediaKind.InitSegment ? 'init segment' : 'fragment');
  }
  return { header, payload: data.subarray(MEDIA_HEADER_BYTES) };
}

/** Fields {@link restampMediaHeader} may change. */
export interface MediaHeaderChanges {
  /** New channel (u32). */
  channel?: number;
  /** New flags ({@link MediaFlags} bits). */
  flags?: number;
}

/**
 * Rewrite the channel and/or flags of the header at the start of `message`
 * in place (no allocation, no copy) and return the new header. `kind`,
 * version and sequence are kept.
 *
 * For the server's live path: decode a Sentinel's message, restamp it once
 * with the stream's channel, then store and send that same buffer to every
 * viewer. Only call it on a buffer nobody else is reading yet: never on one
 * already handed to a socket's `send()`.
 *
 * @throws ProtocolError when `message` does not start with a valid header.
 * @throws TypeError when a changed field is invalid.
 */
export function restampMediaHeader(message: Uint8Array, changes: MediaHeaderChanges): MediaHeader {
  const old = readMediaHeader(message);
  const header: MediaHeader = {
    kind: old.kind,
    flags: changes.flags ?? old.flags,
    channel: changes.channel ?? old.channel,
    sequence: old.sequence,
  };
  writeMediaHeader(new DataView(message.buffer, message.byteOffset, MEDIA_HEADER_BYTES), 0, header);
  return header;
}

/** Throws TypeError naming the first invalid field of `header`. */
function checkHeader(header: MediaHeader): void {
  const { kind, flags, channel, sequence } = header;
  if (kind !== MediaKind.InitSegment && kind !== MediaKind.Fragment) {
    throw new TypeError(`header.kind must be 1 (MediaKind.InitSegment) or 2 (MediaKind.Fragment), got ${String(kind)}`);
  }
  if (!Number.isInteger(flags) || flags < 0 || (flags & ~MEDIA_FLAGS_MASK) !== 0) {
    throw new TypeError(`header.flags must combine MediaFlags.Join (1) and MediaFlags.Replay (2) only, got ${String(flags)}`);
  }
  if (kind === MediaKind.InitSegment && hasMediaFlag(flags, MediaFlags.Join)) {
    throw new TypeError('header.flags must not set MediaFlags.Join on an init segment (JOIN marks fragments)');
  }
  if (!Number.isInteger(channel) || channel < 0 || channel > MAX_CHANNEL) {
    throw new TypeError(`header.channel must be an integer between 0 and 2^32-1, got ${String(channel)}`);
  }
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > MAX_SEQUENCE) {
    throw new TypeError(`header.sequence must be an integer between 1 and 2^53-1, got ${String(sequence)}`);
  }
}
