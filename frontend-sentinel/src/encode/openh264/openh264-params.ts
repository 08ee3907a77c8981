/**
 * Parameters of one OpenH264 encoder in the shim (`vigil_encoder_create`, `vigil_encoder_set_rate`).
 * No imports on purpose: the encoder Worker uses this file, and must not pull in the page's
 * modules (see openh264-settings.ts for how the page derives these from its settings).
 */

/** Parameters of `vigil_encoder_create` / `vigil_encoder_set_rate`. */
export interface OpenH264Params {
  /** Encoded width, pixels (even, 16..4096). */
  readonly width: number;
  /** Encoded height, pixels (even, 16..4096). */
  readonly height: number;
  /** Target bitrate, bits per second (OpenH264 `iTargetBitrate`, RC_BITRATE_MODE). */
  readonly targetBitrate: number;
  /** Peak bitrate, bits per second (OpenH264 `iMaxBitrate`); always > targetBitrate. */
  readonly maxBitrate: number;
  /** Frame rate, fps (0.2..5 in Vigil; the shim maps < 1 fps onto OpenH264's 1 fps minimum). */
  readonly framerate: number;
  /** level_idc, 10 x the H.264 level (31 = 3.1, 40 = 4.0). */
  readonly levelIdc: number;
}

/**
 * True when going from `a` to `b` only changes rates (bitrate, frame rate): the encoder can
 * keep running (`vigil_encoder_set_rate`). A new size or level needs a new encoder (and new
 * SPS/PPS).
 */
export function onlyRatesDiffer(a: OpenH264Params, b: OpenH264Params): boolean {
  return a.width === b.width && a.height === b.height && a.levelIdc === b.levelIdc;
}
