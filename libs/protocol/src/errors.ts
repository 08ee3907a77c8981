import { closeCodeForError, WsCloseCode } from './close';
import { ERROR_MESSAGE_MAX_LENGTH } from './constants';
import type { ErrorMessage } from './control';

/**
 * Every error code of the protocol, in the order of the README table.
 * Carried in `error.code` control messages and in {@link ProtocolError.code}.
 */
export const ERROR_CODES = [
  'bad-message',
  'unsupported-version',
  'auth-required',
  'auth-failed',
  'bad-init-segment',
  'bad-fragment',
  'sequence-gap',
  'unknown-stream',
  'not-allowed',
  'server-busy',
  'internal',
] as const;

/**
 * Machine-readable reason of an error.
 *
 * - `bad-message`: malformed message (binary header or JSON control message).
 * - `unsupported-version`: the peer speaks another {@link PROTOCOL_VERSION}.
 * - `auth-required`: a Sentinel sent something before `hello`, or a Proctor has no session.
 * - `auth-failed`: the seat token or the Proctor session was refused.
 * - `bad-init-segment`: the init segment does not parse (fMP4 `ftyp` + `moov`, H.264 `avcC`).
 * - `bad-fragment`: the fragment does not parse, or comes before any init segment.
 * - `sequence-gap`: a sequence number was skipped (not previous + 1, and not a duplicate).
 * - `unknown-stream`: `subscribe` named a stream the server does not know.
 * - `not-allowed`: the caller may not do this (stream of an exam it is not assigned to, another seat's stream).
 * - `server-busy`: the server refuses more work now (connections, viewers, memory).
 * - `internal`: an unexpected server fault.
 */
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Whether an error of each code ends the connection when the sender does not
 * say otherwise. The `fatal` field of an `error` message is authoritative:
 * e.g. a `server-busy` answer to one `subscribe` is sent with `fatal: false`.
 * After a fatal error the server closes the WebSocket (code from
 * {@link closeCodeForError}); the client may reconnect.
 */
export const ERROR_FATAL_DEFAULTS: Readonly<Record<ErrorCode, boolean>> = {
  'bad-message': true,
  'unsupported-version': true,
  'auth-required': true,
  'auth-failed': true,
  'bad-init-segment': true,
  'bad-fragment': true,
  'sequence-gap': true,
  'unknown-stream': false,
  'not-allowed': false,
  'server-busy': true,
  internal: true,
};

/** True when `value` is one of {@link ERROR_CODES}. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Options of the {@link ProtocolError} constructor. */
export interface ProtocolErrorOptions {
  /** Whether the connection must end; default {@link ERROR_FATAL_DEFAULTS}[code]. */
  fatal?: boolean;
  /** WebSocket close code (RFC 6455 §7.4.1) to use when fatal; default {@link closeCodeForError}(code). */
  closeCode?: number;
  /** The underlying error, if any (ES2022 `Error.cause`). */
  cause?: unknown;
}

/**
 * Error thrown by every decoder and parser of this library for bad input from
 * the network, and the exception form of an `error` control message.
 *
 * `code` is machine-readable ({@link ErrorCode}); `fatal` says whether the
 * connection must end; `closeCode` is the WebSocket close code to end it with
 * (RFC 6455 §7.4.1). The message says what is wrong and what to do, and is
 * safe to send back to the peer (it never contains more than 40 characters of
 * the offending input).
 *
 * Mistakes of the calling code (e.g. encoding a header with `kind: 7`) are not
 * network input and throw `TypeError` instead.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  /** Machine-readable reason. */
  readonly code: ErrorCode;
  /** True when the connection must be closed. */
  readonly fatal: boolean;
  /** WebSocket close code (RFC 6455 §7.4.1) to close with when {@link fatal}. */
  readonly closeCode: number;

  constructor(code: ErrorCode, message: string, options: ProtocolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.fatal = options.fatal ?? ERROR_FATAL_DEFAULTS[code];
    this.closeCode = options.closeCode ?? closeCodeForError(code);
  }

  /** A binary media message of `have` bytes is shorter than the `need` bytes required (the 16-byte header). */
  static tooShort(have: number, need: number): ProtocolError {
    return new ProtocolError(
      'bad-message',
      `media message is ${have} bytes, shorter than the ${need}-byte header: ` +
        'send the 16-byte header followed by a non-empty payload in one binary message',
    );
  }

  /** A message of `have` bytes exceeds the limit of `max` bytes; `what` names it ("media message", "control message"). */
  static tooLarge(have: number, max: number, what: string): ProtocolError {
    return new ProtocolError(
      'bad-message',
      `${what} is ${have} bytes, over the limit of ${max} bytes: split the data or lower the resolution or bitrate`,
      { closeCode: WsCloseCode.MessageTooBig },
    );
  }

  /** The peer speaks protocol version `version`; `where` names the field ("media header byte 1", "hello.protocol"). */
  static unsupportedVersion(version: unknown, where = 'media header byte 1'): ProtocolError {
    return new ProtocolError(
      'unsupported-version',
      `${where}: protocol version ${describeValue(version)} is not supported; this peer speaks version 1: ` +
        'update the client (reload the page)',
    );
  }

  /** Generic malformed message; `detail` says what is wrong and what to do. */
  static badMessage(detail: string): ProtocolError {
    return new ProtocolError('bad-message', detail);
  }

  /** Media header byte 0 holds an unknown message kind. */
  static unknownKind(kind: number): ProtocolError {
    return new ProtocolError(
      'bad-message',
      `media header kind (byte 0) is ${kind}; it must be 1 (init segment) or 2 (fragment)`,
    );
  }

  /** Media header flags (bytes 2-3) set bits this version does not define (`flags` is the whole field). */
  static reservedFlags(flags: number, knownMask: number): ProtocolError {
    const reserved = flags & ~knownMask & 0xffff;
    return new ProtocolError(
      'bad-message',
      `media header flags (bytes 2-3) are 0x${hex4(flags)}; reserved bits 0x${hex4(reserved)} must be 0 ` +
        '(only bit 0 JOIN and bit 1 REPLAY are defined)',
    );
  }

  /** Media header sequence number (bytes 8-15) out of range; `detail` says how. */
  static badSequence(detail: string): ProtocolError {
    return new ProtocolError(
      'bad-message',
      `media header sequence number (bytes 8-15) ${detail}; it must be between 1 and 2^53-1`,
    );
  }

  /** Media header channel (bytes 4-7) not allowed in this direction; `detail` says why. */
  static badChannel(detail: string): ProtocolError {
    return new ProtocolError('bad-message', `media header channel (bytes 4-7) ${detail}`);
  }

  /** A media message has a header and no payload. */
  static emptyPayload(kind: string): ProtocolError {
    return new ProtocolError(
      'bad-message',
      `media message (${kind}) has no payload after the 16-byte header: send the fMP4 bytes after the header`,
    );
  }

  /** A text frame arrived where binary was expected, or the reverse (closes with 1003, RFC 6455 §7.4.1). */
  static wrongFrameType(got: 'text' | 'binary', detail: string): ProtocolError {
    return new ProtocolError('bad-message', `unexpected ${got} WebSocket message: ${detail}`, {
      closeCode: WsCloseCode.UnsupportedData,
    });
  }

  /** A text frame is not valid JSON; `detail` is the JSON parser's message. */
  static notJson(detail: string): ProtocolError {
    return new ProtocolError(
      'bad-message',
      `control message is not valid JSON (${detail}): send one JSON object per WebSocket text message`,
    );
  }

  /** `type` is not a message this side accepts; `direction` e.g. "Sentinel -> server"; `allowed` lists the valid types. */
  static unknownType(type: string, direction: string, allowed: readonly string[]): ProtocolError {
    return new ProtocolError(
      'bad-message',
      `unknown control message type ${describeValue(type)} for ${direction}; ` +
        `expected one of ${allowed.map((t) => `"${t}"`).join(', ')}`,
    );
  }

  /** The exception form of a received `error` control message. */
  static fromControl(message: ErrorMessage): ProtocolError {
    return new ProtocolError(message.code, message.message, { fatal: message.fatal });
  }

  /** This error as an `error` control message, ready for {@link encodeControl}. */
  toControl(): ErrorMessage {
    return { type: 'error', code: this.code, message: this.message.slice(0, ERROR_MESSAGE_MAX_LENGTH), fatal: this.fatal };
  }
}

/**
 * Short, safe description of a value for error messages: strings quoted and
 * cut to 40 characters, numbers as written, otherwise the JSON type name.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
