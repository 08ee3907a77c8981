/**
 * H.264 level selection for Constrained Baseline (profile_idc 66, constraint_set1_flag).
 * Limits from ITU-T H.264 (08/2021) Annex A, Table A-1 "Level limits":
 *
 * | level | MaxMBPS (MB/s) | MaxFS (MBs) | MaxBR (kbit/s, Baseline) |
 * |-------|----------------|-------------|--------------------------|
 * | 3.1   | 108 000        | 3 600       | 14 000                   |
 * | 4.0   | 245 760        | 8 192       | 20 000                   |
 *
 * A.3.1 also limits each side to sqrt(8 * MaxFS) macroblocks. Chromium's WebCodecs refuses
 * `avc1.42E01F` at 1920x1080 (1920x1088 coded = 8160 MBs > 3600), see shared MEASURED.md, so
 * Vigil uses the lowest level that fits: 3.1 up to 1280x720, 4.0 above (the encoding seed's
 * "level 3.1 at 1080p" is corrected in DESIGN.md).
 */
import { assertFiniteInRange, assertIntegerInRange, assertObject } from '../util/assert';
import { FPS_MAX } from '@vigil/protocol';
import { MAX_SOURCE_DIMENSION, type Size } from './scaling';

/** One H.264 level Vigil may use. */
export interface AvcLevel {
  /** level_idc (10 x level number): 31 or 40. */
  readonly levelIdc: 31 | 40;
  /** WebCodecs codec string to request: Constrained Baseline (0x42, constraints 0xE0) at this level. */
  readonly codec: string;
  /** MaxFS: largest frame, in 16x16 macroblocks. */
  readonly maxFrameSizeMbs: number;
  /** MaxMBPS: macroblocks per second. */
  readonly maxMbPerSecond: number;
  /** MaxBR for Baseline: bits per second. */
  readonly maxBitrateBps: number;
}

/** Level 3.1 (Table A-1): up to 3600 MBs per frame, e.g. 1280x720. */
export const AVC_LEVEL_3_1: AvcLevel = Object.freeze({
  levelIdc: 31,
  codec: 'avc1.42E01F',
  maxFrameSizeMbs: 3_600,
  maxMbPerSecond: 108_000,
  maxBitrateBps: 14_000_000,
});

/** Level 4.0 (Table A-1): up to 8192 MBs per frame, e.g. 1920x1080 (coded 1920x1088 = 8160 MBs). */
export const AVC_LEVEL_4_0: AvcLevel = Object.freeze({
  levelIdc: 40,
  codec: 'avc1.42E028',
  maxFrameSizeMbs: 8_192,
  maxMbPerSecond: 245_760,
  maxBitrateBps: 20_000_000,
});

/** Levels in ascending order. */
export const AVC_LEVELS: readonly AvcLevel[] = Object.freeze([AVC_LEVEL_3_1, AVC_LEVEL_4_0]);

/** Coded size in macroblocks: each side rounded up to a multiple of 16 pixels, then counted. */
export function macroblocks(size: Size): { across: number; down: number; total: number } {
  checkSize(size);
  const across = Math.ceil(size.width / 16);
  const down = Math.ceil(size.height / 16);
  return { across, down, total: across * down };
}

/**
 * The lowest level whose Table A-1 limits admit `size` at `fps`: frame size (MaxFS), side
 * length (sqrt(8 * MaxFS) MBs) and macroblock rate (MaxMBPS).
 *
 * @param size encoded size in pixels (integers >= 1)
 * @param fps frames per second (default FPS_MAX = 5, the worst case Vigil uses)
 * @throws TypeError on a bad size or fps; RangeError when no level up to 4.0 fits
 *   (scale the frame with `fitWithin` first)
 */
export function selectAvcLevel(size: Size, fps: number = FPS_MAX): AvcLevel {
  const mbs = macroblocks(size);
  assertFiniteInRange('fps', fps, Number.MIN_VALUE, 240);
  for (const level of AVC_LEVELS) {
    const maxSide = Math.sqrt(8 * level.maxFrameSizeMbs);
    if (
      mbs.total <= level.maxFrameSizeMbs &&
      mbs.across <= maxSide &&
      mbs.down <= maxSide &&
      mbs.total * fps <= level.maxMbPerSecond
    ) {
      return level;
    }
  }
  throw new RangeError(
    `${size.width}x${size.height} at ${fps} fps exceeds H.264 level 4.0 (8192 macroblocks per frame); scale it with fitWithin() first`,
  );
}

function checkSize(size: Size): void {
  assertObject('size', size);
  assertIntegerInRange('size.width', size.width, 1, MAX_SOURCE_DIMENSION);
  assertIntegerInRange('size.height', size.height, 1, MAX_SOURCE_DIMENSION);
}
