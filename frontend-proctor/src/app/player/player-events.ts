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

/** Errors a player keeps for its snapshot (the newest). */
export const MAX_KEPT_ERRORS = 20;

/** Appends `error` to `errors`, keeping the newest {@link MAX_KEPT_ERRORS}. */
export function keepError(errors: PlayerError[], error: PlayerError): void {
  errors.push(error);
  if (errors.length > MAX_KEPT_ERRORS) errors.splice(0, errors.length - MAX_KEPT_ERRORS);
}

/**
 * How often a player may rebuild its MediaSource after fatal errors (pure, clock passed in):
 * at most `max` times within `windowMs`, so a stream that keeps breaking the decoder ends in a
 * stated error instead of a rebuild loop. Shared by the live and the review player.
 */
export class RecoveryBudget {
  private times: number[] = [];

  /**
   * @param max rebuilds allowed within the window (default 3)
   * @param windowMs the window, ms (default 60 s)
   */
  constructor(
    private readonly max = 3,
    private readonly windowMs = 60_000,
  ) {}

  /** Takes one rebuild at `nowMs` (ms); false when the budget is spent (then nothing is taken). */
  take(nowMs: number): boolean {
    this.times = this.times.filter((t) => nowMs - t < this.windowMs);
    if (this.times.length >= this.max) return false;
    this.times.push(nowMs);
    return true;
  }
}
