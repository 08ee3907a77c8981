import type { ErrorCode } from './errors';
import { truncateUtf8 } from './utf8';

/**
 * WebSocket close status codes Vigil uses (RFC 6455 §7.4.1, plus 1013 from
 * the IANA "WebSocket Close Code Number Registry", RFC 6455 §11.7).
 * Before closing for an error the server sends an `error` control message
 * (`fatal: true`) so the client learns the Vigil {@link ErrorCode}; the close
 * code only classifies it.
 */
export const WsCloseCode = {
  /** 1000: normal closure (stream ended, client left). */
  Normal: 1000,
  /** 1001: going away (server shutting down, page navigated away). Clients reconnect. */
  GoingAway: 1001,
  /** 1002: protocol error: malformed or out-of-order Vigil message. */
  ProtocolError: 1002,
  /** 1003: unsupported data: a binary frame where only text is accepted, or the reverse. */
  UnsupportedData: 1003,
  /** 1008: policy violation: authentication or authorisation refused. */
  PolicyViolation: 1008,
  /** 1009: message too big (over {@link MAX_MEDIA_MESSAGE_BYTES} or {@link MAX_TEXT_MESSAGE_BYTES}). */
  MessageTooBig: 1009,
  /** 1011: internal error: the server hit an unexpected condition. Clients reconnect with back-off. */
  InternalError: 1011,
  /** 1013: try again later: the server is overloaded. Clients reconnect with back-off. */
  TryAgainLater: 1013,
} as const;

/** One of the {@link WsCloseCode} values. */
export type WsCloseCode = (typeof WsCloseCode)[keyof typeof WsCloseCode];

/**
 * Longest close reason, in UTF-8 bytes: a Close frame payload is at most 125
 * bytes (RFC 6455 §5.5), two of which are the status code (§5.5.1).
 */
export const MAX_CLOSE_REASON_BYTES = 123;

const CLOSE_CODE_BY_ERROR: Readonly<Record<ErrorCode, WsCloseCode>> = {
  'bad-message': WsCloseCode.ProtocolError,
  'unsupported-version': WsCloseCode.ProtocolError,
  'auth-required': WsCloseCode.PolicyViolation,
  'auth-failed': WsCloseCode.PolicyViolation,
  'bad-init-segment': WsCloseCode.ProtocolError,
  'bad-fragment': WsCloseCode.ProtocolError,
  'sequence-gap': WsCloseCode.ProtocolError,
  'unknown-stream': WsCloseCode.PolicyViolation,
  'not-allowed': WsCloseCode.PolicyViolation,
  'server-busy': WsCloseCode.TryAgainLater,
  internal: WsCloseCode.InternalError,
};

/**
 * The WebSocket close code (RFC 6455 §7.4.1) to close with after a fatal
 * error of this code. {@link ProtocolError.closeCode} refines it (1009 for
 * oversize messages, 1003 for the wrong frame type).
 */
export function closeCodeForError(code: ErrorCode): WsCloseCode {
  return CLOSE_CODE_BY_ERROR[code];
}

/**
 * `text` made fit for a Close frame reason: at most
 * {@link MAX_CLOSE_REASON_BYTES} UTF-8 bytes, cut on a code point boundary
 * (RFC 6455 §5.5.1 requires the reason to be valid UTF-8).
 */
export function closeReason(text: string): string {
  return truncateUtf8(text, MAX_CLOSE_REASON_BYTES);
}
