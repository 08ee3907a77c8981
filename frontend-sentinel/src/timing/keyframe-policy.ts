/**
 * When to encode an IDR frame (Vigil encoding spec, "Keyframe Rules"; DESIGN.md "Encoding"):
 *
 * | reason              | rule                                                             |
 * |---------------------|------------------------------------------------------------------|
 * | `start`             | the first frame of a stream (and after `reset()`)                |
 * | `resolution-change` | the encoded size differs from the previous frame's               |
 * | `fps-change`        | the frame rate differs from the previous frame's (new segment)   |
 * | `request`           | the server asked (viewer join, admin, recovery)                  |
 * | `restart`           | the pipeline restarted something (capture, encoder) mid-stream   |
 * | `timeline-gap`      | the frame starts more than 2 of the previous frame's durations   |
 * |                     | after it (ticks skipped: a late timer, a busy encoder)           |
 * | `interval`          | otherwise the gap between IDRs would exceed `maxIntervalMs`      |
 *
 * Why `timeline-gap`: a Media Source Extensions player (the portal's live view and review,
 * hls.js on an export) treats a decode time more than twice the last frame duration after
 * the previous one as a discontinuity and drops every frame until the next random access
 * point (W3C Media Source Extensions, "Coded Frame Processing", step 6). A delta frame after
 * such a gap froze the portal's 5 fps live view for the rest of its GOP (up to 25 s) when two
 * ticks were skipped on a loaded machine (seen in the proctor-login e2e test); an IDR there
 * costs one keyframe's bytes instead.
 *
 * Pure: fed media times in 90 kHz ticks, holds no timers. All IDRs are sync samples and start
 * a join fragment.
 */
import { assertFiniteInRange, assertIntegerInRange, assertObject, describe } from '../util/assert';
import { assertFps, TICKS_PER_MS } from './media-time';

/** Why a frame is encoded as a keyframe. */
export type KeyframeReason = 'start' | 'resolution-change' | 'fps-change' | 'request' | 'restart' | 'timeline-gap' | 'interval';

/** Reasons that can be requested from outside. */
export type RequestedKeyframeReason = 'request' | 'restart';

/** Longest allowed gap between keyframes: default and bounds (ms). */
export const DEFAULT_MAX_KEYFRAME_INTERVAL_MS = 25_000;
export const MIN_MAX_KEYFRAME_INTERVAL_MS = 20_000;
export const MAX_MAX_KEYFRAME_INTERVAL_MS = 30_000;

/** Options for {@link KeyframePolicy}. */
export interface KeyframePolicyOptions {
  /** Longest gap between keyframes, milliseconds of media time, 20000..30000 (default 25000). */
  maxIntervalMs?: number;
  /**
   * A request arriving within this many milliseconds (media time) after a keyframe was
   * submitted is already satisfied by it (0..5000, default 250): coalesces bursts of joins.
   */
  requestCoalesceMs?: number;
}

/** The frame about to be encoded. */
export interface FrameContext {
  /** Media time, 90 kHz ticks (integer >= 0). */
  mediaTime: number;
  /** Sample duration, 90 kHz ticks (integer > 0). */
  duration: number;
  /** Frame rate, fps (0.2..5). */
  fps: number;
  /** Encoded width, pixels. */
  width: number;
  /** Encoded height, pixels. */
  height: number;
}

/** Decides which frames must be IDR frames; see the module comment. */
export class KeyframePolicy {
  /** Longest gap between keyframes, 90 kHz ticks. */
  readonly maxIntervalTicks: number;
  /** Request coalescing window, 90 kHz ticks. */
  readonly requestCoalesceTicks: number;
  private last: FrameContext | null = null;
  private lastKeyMediaTime: number | null = null;
  private pendingReason: RequestedKeyframeReason | null = null;

  constructor(options: KeyframePolicyOptions = {}) {
    assertObject('options', options);
    const maxIntervalMs = options.maxIntervalMs ?? DEFAULT_MAX_KEYFRAME_INTERVAL_MS;
    assertFiniteInRange('options.maxIntervalMs', maxIntervalMs, MIN_MAX_KEYFRAME_INTERVAL_MS, MAX_MAX_KEYFRAME_INTERVAL_MS);
    const coalesceMs = options.requestCoalesceMs ?? 250;
    assertFiniteInRange('options.requestCoalesceMs', coalesceMs, 0, 5_000);
    this.maxIntervalTicks = Math.round(maxIntervalMs * TICKS_PER_MS);
    this.requestCoalesceTicks = Math.round(coalesceMs * TICKS_PER_MS);
  }

  /** The requested reason still waiting for a frame, if any. */
  get pending(): RequestedKeyframeReason | null {
    return this.pendingReason;
  }

  /** Media time (90 kHz ticks) of the last keyframe submitted or output, or null. */
  get lastKeyframeMediaTime(): number | null {
    return this.lastKeyMediaTime;
  }

  /**
   * Whether the frame `ctx` must be a keyframe, and why (null: a delta frame is fine).
   * Does not change state; call `noteSubmitted` once the frame went to the encoder.
   *
   * The interval rule makes a frame key when the *next* frame would otherwise land more than
   * `maxIntervalMs` after the last keyframe: `mediaTime + duration - lastKey > maxInterval`.
   */
  decide(ctx: FrameContext): KeyframeReason | null {
    checkContext(ctx);
    const last = this.last;
    if (last === null || this.lastKeyMediaTime === null) return 'start';
    if (ctx.width !== last.width || ctx.height !== last.height) return 'resolution-change';
    if (ctx.fps !== last.fps || ctx.duration !== last.duration) return 'fps-change';
    if (this.pendingReason !== null) return this.pendingReason;
    if (ctx.mediaTime - last.mediaTime > 2 * last.duration) return 'timeline-gap';
    if (ctx.mediaTime + ctx.duration - this.lastKeyMediaTime > this.maxIntervalTicks) return 'interval';
    return null;
  }

  /** Records that the frame `ctx` went to the encoder, as a keyframe or not. */
  noteSubmitted(ctx: FrameContext, keyFrame: boolean): void {
    checkContext(ctx);
    if (typeof keyFrame !== 'boolean') throw new TypeError(`keyFrame must be a boolean, got ${describe(keyFrame)}`);
    if (this.last !== null && ctx.mediaTime <= this.last.mediaTime) {
      throw new RangeError(`mediaTime must increase: ${ctx.mediaTime} after ${this.last.mediaTime}`);
    }
    this.last = { ...ctx };
    if (keyFrame) {
      this.lastKeyMediaTime = ctx.mediaTime;
      this.pendingReason = null;
    }
  }

  /**
   * Records a keyframe the encoder produced (it may insert some on its own), so the interval
   * rule counts from it. `mediaTime` in 90 kHz ticks.
   */
  noteKeyframeOutput(mediaTime: number): void {
    assertIntegerInRange('mediaTime', mediaTime, 0);
    if (this.lastKeyMediaTime === null || mediaTime > this.lastKeyMediaTime) this.lastKeyMediaTime = mediaTime;
  }

  /**
   * Asks for a keyframe at `nowMediaTime` (90 kHz ticks).
   * @returns true when a keyframe is now pending and the caller should encode a frame at once;
   *   false when a keyframe submitted within `requestCoalesceMs` already satisfies it.
   */
  request(reason: RequestedKeyframeReason, nowMediaTime: number): boolean {
    if (reason !== 'request' && reason !== 'restart') {
      throw new TypeError(`reason must be 'request' or 'restart', got ${describe(reason)}`);
    }
    assertIntegerInRange('nowMediaTime', nowMediaTime, 0);
    if (
      reason === 'request' &&
      this.lastKeyMediaTime !== null &&
      nowMediaTime - this.lastKeyMediaTime <= this.requestCoalesceTicks
    ) {
      return false;
    }
    this.pendingReason = this.pendingReason ?? reason;
    return true;
  }

  /** Forgets history: the next frame is a `start` keyframe (new stream). */
  reset(): void {
    this.last = null;
    this.lastKeyMediaTime = null;
    this.pendingReason = null;
  }
}

function checkContext(ctx: FrameContext): void {
  assertObject('ctx', ctx);
  assertIntegerInRange('ctx.mediaTime', ctx.mediaTime, 0);
  assertIntegerInRange('ctx.duration', ctx.duration, 1);
  assertFps('ctx.fps', ctx.fps);
  assertIntegerInRange('ctx.width', ctx.width, 1);
  assertIntegerInRange('ctx.height', ctx.height, 1);
}
