/**
 * Target bitrate for screen content, sized from the encoded frame size and the frame rate
 * (Vigil encoding spec, "Bitrate and Rate Control": target-bitrate rate control by default).
 *
 * Model (a bits-per-pixel model with sub-linear exponents):
 *
 *     bitrate = 1.0 Mbit/s x (pixels / (1280 x 720)) ^ 0.42 x (fps / 5) ^ 0.5
 *
 * clamped to [100 kbit/s, 3 Mbit/s] and rounded to 1 kbit/s.
 *
 * - The reference point is measured (shared MEASURED.md): busy screen content at 5 fps costs
 *   ~1.0 Mbit/s at 720p and ~1.4 Mbit/s at 1080p with Chromium's OpenH264. That is
 *   0.217 bits per pixel per frame at 720p5; the model gives 1.41 Mbit/s (0.136 bpp) at 1080p5.
 * - Pixel exponent 0.42 (fitted to those two points): what costs bits on a screen is what
 *   changed (text, a scrolled region), which grows much more slowly than the pixel count.
 * - Frame-rate exponent 0.5: at a lower rate each frame carries more change since the
 *   previous one, and the IDR frames (one every <= 25 s, whatever the rate) take a larger
 *   share, so bits per frame rise as fps falls. 1080p at 1 fps: 629 kbit/s (~79 KB/frame);
 *   at 0.2 fps: 281 kbit/s (~176 KB/frame, about one readable 1080p IDR).
 * - The floor keeps tiny or very slow streams readable; the ceiling (well under the
 *   Baseline MaxBR of levels 3.1/4.0, ITU-T H.264 Table A-1) protects school networks.
 */
import { assertIntegerInRange, assertObject } from '../util/assert';
import { assertFps } from '../timing/media-time';
import { MAX_SOURCE_DIMENSION, type Size } from './scaling';

/** Bitrate at the reference point (bits per second). */
export const REFERENCE_BITRATE_BPS = 1_000_000;
/** Reference frame area (pixels): 1280x720. */
export const REFERENCE_PIXELS = 1280 * 720;
/** Reference frame rate (fps). */
export const REFERENCE_FPS = 5;
/** Exponent on the pixel ratio. */
export const PIXEL_EXPONENT = 0.42;
/** Exponent on the frame-rate ratio. */
export const FPS_EXPONENT = 0.5;
/** Lowest target (bits per second). */
export const MIN_BITRATE_BPS = 100_000;
/** Highest target (bits per second). */
export const MAX_BITRATE_BPS = 3_000_000;

/**
 * Target bitrate in bits per second for an encoded `size` (pixels) at `fps` (0.2..5).
 * @throws TypeError on a bad size or a frame rate outside 0.2..5 fps
 */
export function targetBitrate(size: Size, fps: number): number {
  assertObject('size', size);
  assertIntegerInRange('size.width', size.width, 1, MAX_SOURCE_DIMENSION);
  assertIntegerInRange('size.height', size.height, 1, MAX_SOURCE_DIMENSION);
  assertFps('fps', fps);
  const pixels = size.width * size.height;
  const raw =
    REFERENCE_BITRATE_BPS * (pixels / REFERENCE_PIXELS) ** PIXEL_EXPONENT * (fps / REFERENCE_FPS) ** FPS_EXPONENT;
  const clamped = Math.min(MAX_BITRATE_BPS, Math.max(MIN_BITRATE_BPS, raw));
  return Math.round(clamped / 1000) * 1000;
}
