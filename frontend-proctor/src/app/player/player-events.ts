/**
 * Player error events, in the style of hls.js (`src/errors.ts`): errors travel as
 * plain event objects `{ type, details, fatal }`, never as exceptions across
 * async boundaries. `fatal: true` means the current MediaSource cannot continue
 * and the player must rebuild it (it does so by resubscribing); `fatal: false`
 * means the pipeline already recovered (for example by waiting for the next
 * join fragment).
 */

/** Coarse error class, as hls.js `ErrorTypes`. */
export type PlayerErrorType =
  /** The WebSocket or the server (closed socket, `error`/`unsubscribed` messages). */
  | 'networkError'
  /** Bytes that could not be decoded: bad media header, bad init segment or fragment. */
  | 'muxError'
  /** MediaSource / SourceBuffer / HTMLMediaElement failures. */
  | 'mediaError'
  /** Anything else (a bug). */
  | 'otherError';

/** Precise error reason, as hls.js `ErrorDetails`. */
export type PlayerErrorDetails =
  | 'badMessage' // a text or binary WebSocket message that does not follow @vigil/protocol
  | 'serverError' // the server sent `error`
  | 'unsubscribed' // the server ended our subscription (stream ended, too slow, …)
  | 'socketClosed' // the proctor WebSocket closed; it reconnects by itself
  | 'initParsingError' // parseInitSegment threw
  | 'fragParsingError' // parseFragment threw
  | 'sequenceGap' // a fragment's sequence number skipped; waiting for the next join fragment
  | 'codecUnsupported' // MediaSource.isTypeSupported() is false for the init segment's codec
  | 'bufferAddCodecError' // addSourceBuffer() / changeType() threw
  | 'bufferAppendError' // appendBuffer() threw or the SourceBuffer fired `error`
  | 'bufferFullError' // appendBuffer() threw QuotaExceededError (MSE "prepare append": buffer full)
  | 'bufferRemoveError' // remove() threw
  | 'mediaDecodeError' // the <video> element reported a MediaError
  | 'internalException';

/** One error event. */
export interface PlayerError {
  readonly type: PlayerErrorType;
  readonly details: PlayerErrorDetails;
  /** true: the MediaSource is unusable and must be rebuilt; false: recovered in place. */
  readonly fatal: boolean;
  /** Human-readable explanation (shown in the portal, logged in e2e snapshots). */
  readonly message: string;
  /** Wall clock of the event, Unix epoch milliseconds. */
  readonly timeMs: number;
}

/** Builds a {@link PlayerError}; `timeMs` defaults to `Date.now()`. */
export function playerError(
  type: PlayerErrorType,
  details: PlayerErrorDetails,
  fatal: boolean,
  message: string,
  timeMs: number = Date.now(),
): PlayerError {
  return { type, details, fatal, message, timeMs };
}

/** Message of an unknown thrown value, for {@link PlayerError.message}. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
