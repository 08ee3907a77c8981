/**
 * Output frame size: fit the captured screen within 1920x1080 (Vigil encoding spec, "Resolution"),
 * aspect ratio preserved, even width and height (4:2:0 chroma needs even sizes), never upscaled.
 */
import { assertIntegerInRange, assertObject } from '../util/assert';

/** A frame size in pixels. */
export interface Size {
  /** Pixels. */
  readonly width: number;
  /** Pixels. */
  readonly height: number;
}

/** The largest encoded frame Vigil sends (pixels): Full HD. */
export const MAX_ENCODED_SIZE: Size = Object.freeze({ width: 1920, height: 1080 });

/** Smallest encodable dimension (pixels): one 4:2:0 chroma sample. */
export const MIN_DIMENSION = 2;

/** Largest source dimension accepted (pixels); larger values are not a real screen. */
export const MAX_SOURCE_DIMENSION = 65_536;

/**
 * Target encoded size for a captured frame of `source` pixels.
 *
 * - scale = min(1, max.width / source.width, max.height / source.height): downscale only;
 * - each side is rounded to the nearest even number (2560x1440 -> 1920x1080,
 *   3440x1440 -> 1920x804), then capped at the even size at or below the source side, so a
 *   frame is never enlarged (1279x719 -> 1278x718);
 * - each side is at least 2 pixels: the only case that "enlarges" is a source side of 1 pixel.
 *
 * @param source captured size in pixels (integers 1..65536), e.g. `VideoFrame.displayWidth/Height`
 * @param max bounding box in pixels, even integers (default 1920x1080)
 * @throws TypeError on non-integer, non-positive or out-of-range sizes, or an odd bounding box
 */
export function fitWithin(source: Size, max: Size = MAX_ENCODED_SIZE): Size {
  assertObject('source', source);
  assertIntegerInRange('source.width', source.width, 1, MAX_SOURCE_DIMENSION);
  assertIntegerInRange('source.height', source.height, 1, MAX_SOURCE_DIMENSION);
  assertObject('max', max);
  assertEvenDimension('max.width', max.width);
  assertEvenDimension('max.height', max.height);

  const scale = Math.min(1, max.width / source.width, max.height / source.height);
  return {
    width: evenSide(source.width * scale, source.width, max.width),
    height: evenSide(source.height * scale, source.height, max.height),
  };
}

/** True when two sizes are equal. */
export function sameSize(a: Size | null, b: Size | null): boolean {
  return a !== null && b !== null && a.width === b.width && a.height === b.height;
}

function evenSide(scaled: number, source: number, max: number): number {
  const nearestEven = 2 * Math.round(scaled / 2);
  const sourceFloorEven = source - (source % 2);
  return Math.max(MIN_DIMENSION, Math.min(nearestEven, sourceFloorEven, max));
}

function assertEvenDimension(name: string, value: unknown): void {
  assertIntegerInRange(name, value, MIN_DIMENSION, MAX_SOURCE_DIMENSION);
  if (value % 2 !== 0) throw new TypeError(`${name} must be even, got ${value}`);
}
