/**
 * The frame clock: decides when a frame is sampled and what media time it gets.
 *
 * Screen capture delivers frames only when the screen changes (W3C Screen Capture; measured
 * 0 fps on a static screen), so the Sentinel does not encode what capture delivers; it samples
 * the most recent captured frame on this clock, at the current frame rate (0.2..5 fps).
 *
 * Media time is in 90 kHz ticks since the stream started, on the capture clock
 * (`performance.now()`): a tick at clock time `t` ms has media time `round((t - start) * 90)`.
 * Scheduled ticks sit on a grid `anchor + k * duration` (duration = `round(90000 / fps)` ticks),
 * so samples within a segment are exactly one duration apart; an immediate tick (keyframe
 * request, frame-rate change) re-anchors the grid at "now". A late timer skips the slots it
 * missed instead of bunching them up. Media time is strictly increasing.
 */
import { assertFps, msToTicks, sampleDurationTicks, TICKS_PER_MS } from './media-time';

/** Time source and timers; the browser's are `performance.now`, `setTimeout`, `clearTimeout`. */
export interface Scheduler {
  /** Monotonic clock, milliseconds. */
  now(): number;
  /** Calls `fn` after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a pending `setTimeout`. */
  clearTimeout(handle: unknown): void;
}

/** The browser scheduler: `performance.now()` and window timers. */
export function browserScheduler(): Scheduler {
  return {
    now: () => performance.now(),
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
  };
}

/** One sampling instant. */
export interface FrameTick {
  /** 0-based count of ticks emitted since `start()`. */
  readonly index: number;
  /** Media time, 90 kHz ticks since stream start (integer, strictly increasing). */
  readonly mediaTime: number;
  /** Nominal sample duration, 90 kHz ticks: `round(90000 / fps)`. */
  readonly duration: number;
  /** Capture-clock time of `mediaTime`, milliseconds (`performance.now()` scale). */
  readonly clockTimeMs: number;
  /** Frame rate in force, frames per second. */
  readonly fps: number;
  /** True for ticks made by `tickNow()` or `setFps()`, false for scheduled ones. */
  readonly immediate: boolean;
  /** Scheduled slots skipped just before this tick because the timer fired late. */
  readonly skipped: number;
}

/** Options for {@link FrameClock}. */
export interface FrameClockOptions {
  /** Clock and timers. */
  scheduler: Scheduler;
  /** Called for every tick. Exceptions go to `onError`; the clock keeps running. */
  onTick: (tick: FrameTick) => void;
  /** Initial frame rate, fps (0.2..5, default 1). */
  fps?: number;
  /** Receives exceptions thrown by `onTick` (default: `console.error`). */
  onError?: (error: unknown) => void;
}

/** A timer is allowed to fire this early (ms) and still count as on time. */
const EARLY_TOLERANCE_MS = 1;

/** Emits sampling ticks at the current frame rate; see the module comment. */
export class FrameClock {
  private readonly scheduler: Scheduler;
  private readonly onTick: (tick: FrameTick) => void;
  private readonly onError: (error: unknown) => void;
  private currentFps: number;
  private duration: number;
  private startMs = 0;
  private anchorTicks = 0;
  private slot = 0;
  private lastMediaTime = -1;
  private index = 0;
  private timer: unknown = null;
  private isRunning = false;

  constructor(options: FrameClockOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    const { scheduler, onTick } = options;
    if (typeof scheduler !== 'object' || scheduler === null || typeof scheduler.now !== 'function') {
      throw new TypeError('options.scheduler must be a Scheduler {now, setTimeout, clearTimeout}');
    }
    if (typeof onTick !== 'function') throw new TypeError('options.onTick must be a function');
    const fps = options.fps ?? 1;
    assertFps('options.fps', fps);
    this.scheduler = scheduler;
    this.onTick = onTick;
    this.onError = options.onError ?? ((error) => console.error('frame clock listener failed', error));
    this.currentFps = fps;
    this.duration = sampleDurationTicks(fps);
  }

  /** Current frame rate, fps. */
  get fps(): number {
    return this.currentFps;
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.isRunning;
  }

  /** Capture-clock time (ms) of media time 0. */
  get startTimeMs(): number {
    return this.startMs;
  }

  /**
   * Starts a new stream timeline: media time 0 is "now"; the first tick is emitted at once
   * (synchronously). Calling `start()` while running restarts the timeline at 0.
   */
  start(): void {
    this.cancelTimer();
    this.isRunning = true;
    this.startMs = this.scheduler.now();
    this.lastMediaTime = -1;
    this.index = 0;
    this.emitImmediate(0);
  }

  /** Stops ticking. Idempotent. */
  stop(): void {
    this.isRunning = false;
    this.cancelTimer();
  }

  /**
   * Changes the frame rate (fps, 0.2..5). When it differs and the clock runs, a new segment
   * starts: an immediate tick is emitted and the grid re-anchors there.
   * @returns true when the rate changed
   * @throws TypeError on a rate outside 0.2..5 fps
   */
  setFps(fps: number): boolean {
    assertFps('fps', fps);
    if (fps === this.currentFps) return false;
    this.currentFps = fps;
    this.duration = sampleDurationTicks(fps);
    if (this.isRunning) this.tickNow();
    return true;
  }

  /**
   * Emits a tick now (e.g. to encode a requested keyframe at once instead of at the next
   * slot) and re-anchors the grid at it. No-op when stopped.
   * @returns the tick, or null when stopped
   */
  tickNow(): FrameTick | null {
    if (!this.isRunning) return null;
    this.cancelTimer();
    return this.emitImmediate(msToTicks(this.scheduler.now() - this.startMs));
  }

  private emitImmediate(mediaTime: number): FrameTick {
    this.anchorTicks = Math.max(mediaTime, this.lastMediaTime + 1);
    this.slot = 0;
    const tick = this.emit(this.anchorTicks, true, 0);
    this.scheduleNext();
    return tick;
  }

  private emit(mediaTime: number, immediate: boolean, skipped: number): FrameTick {
    const tick: FrameTick = {
      index: this.index++,
      mediaTime,
      duration: this.duration,
      clockTimeMs: this.startMs + mediaTime / TICKS_PER_MS,
      fps: this.currentFps,
      immediate,
      skipped,
    };
    this.lastMediaTime = mediaTime;
    try {
      this.onTick(tick);
    } catch (error) {
      this.onError(error);
    }
    return tick;
  }

  private slotTicks(slot: number): number {
    return this.anchorTicks + slot * this.duration;
  }

  private scheduleNext(): void {
    if (!this.isRunning) return;
    this.cancelTimer();
    const dueMs = this.startMs + this.slotTicks(this.slot + 1) / TICKS_PER_MS;
    const delay = Math.max(0, dueMs - this.scheduler.now());
    this.timer = this.scheduler.setTimeout(() => this.onTimer(), delay);
  }

  private onTimer(): void {
    this.timer = null;
    if (!this.isRunning) return;
    const nowTicks = (this.scheduler.now() + EARLY_TOLERANCE_MS - this.startMs) * TICKS_PER_MS;
    const next = this.slot + 1;
    if (nowTicks < this.slotTicks(next)) {
      this.scheduleNext(); // fired early: wait for the rest
      return;
    }
    const latest = Math.max(next, Math.floor((nowTicks - this.anchorTicks) / this.duration));
    this.slot = latest;
    this.emit(this.slotTicks(latest), false, latest - next);
    this.scheduleNext();
  }

  private cancelTimer(): void {
    if (this.timer !== null) {
      this.scheduler.clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
