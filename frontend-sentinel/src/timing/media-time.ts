/**
 * Media time arithmetic. Vigil's media clock is 90 kHz (`VIDEO_TIMESCALE` ticks per second,
 * the MPEG convention also used by the fMP4 `tfdt`); WebCodecs timestamps are microseconds
 * (W3C WebCodecs, `VideoFrame.timestamp`); the capture clock is `performance.now()` milliseconds.
 */
import { VIDEO_TIMESCALE } from '@vigil/fmp4';
import { FPS_MAX, FPS_MIN } from '@vigil/protocol';
import { assertFiniteInRange, assertIntegerInRange } from '../util/assert';

/** 90 kHz ticks per millisecond. */
export const TICKS_PER_MS = VIDEO_TIMESCALE / 1000;

/** Throws a TypeError unless `fps` is a frame rate Vigil allows (FPS_MIN..FPS_MAX, 0.2..5 fps). */
export function assertFps(name: string, fps: unknown): asserts fps is number {
  assertFiniteInRange(name, fps, FPS_MIN, FPS_MAX);
}

/**
 * Sample duration for a frame rate: `round(90000 / fps)` 90 kHz ticks
 * (5 fps -> 18000, 1 fps -> 90000, 0.2 fps -> 450000).
 */
export function sampleDurationTicks(fps: number): number {
  assertFps('fps', fps);
  return Math.round(VIDEO_TIMESCALE / fps);
}

/** Milliseconds (any clock) to 90 kHz ticks, rounded to the nearest tick. */
export function msToTicks(ms: number): number {
  assertFiniteInRange('ms', ms, -Number.MAX_SAFE_INTEGER / TICKS_PER_MS, Number.MAX_SAFE_INTEGER / TICKS_PER_MS);
  return Math.round(ms * TICKS_PER_MS);
}

/** 90 kHz ticks to milliseconds (exact, fractional). */
export function ticksToMs(ticks: number): number {
  assertIntegerInRange('ticks', ticks);
  return ticks / TICKS_PER_MS;
}

/**
 * 90 kHz ticks to a WebCodecs timestamp in microseconds, rounded. Distinct tick values map to
 * distinct microsecond values (one tick is 11.1 µs) and `usToTicks` inverts it exactly.
 */
export function ticksToUs(ticks: number): number {
  assertIntegerInRange('ticks', ticks);
  // 1 tick = 1e6 / 90000 µs = 100/9 µs; multiplying by 100 first keeps integers exact far longer.
  return Math.round((ticks * 100) / 9);
}

/** WebCodecs microseconds to 90 kHz ticks, rounded to the nearest tick. */
export function usToTicks(us: number): number {
  assertFiniteInRange('us', us, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  return Math.round((us * 9) / 100);
}
