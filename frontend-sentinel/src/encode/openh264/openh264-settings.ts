/**
 * From the pipeline's {@link VideoEncoderSettings} (the same ones the WebCodecs backend gets) to
 * the parameters of the OpenH264 shim (`vigil_encoder_create`). Pure.
 *
 * - Profile: the codec string must ask for Baseline (profile_idc 0x42) with constraint_set1
 *   (Constrained Baseline, ITU-T H.264 A.2.1.1), e.g. `avc1.42E01F`. OpenH264 writes the
 *   constraint byte 0xC0, exactly what Chromium's WebCodecs writes.
 * - Level: level_idc from the codec string (`…1F` = 3.1, `…28` = 4.0), chosen by
 *   `selectAvcLevel` from the frame size (ITU-T H.264 Table A-1), like the WebCodecs path.
 * - Rate control: target = `settings.bitrate`; peak (OpenH264 `iMaxBitrate`, its VBV-style
 *   limit) = {@link PEAK_TO_TARGET_RATIO} x target, capped at the level's MaxBR for Baseline
 *   (Table A-1), so short bursts (a page switch) get room without unbounded spikes.
 */
import { AVC_LEVELS } from '../avc-level';
import type { VideoEncoderSettings } from '../encoder-backend';
import { assertFiniteInRange, assertIntegerInRange, assertObject, describe } from '../../util/assert';
import type { OpenH264Params } from './openh264-params';

export { onlyRatesDiffer, type OpenH264Params } from './openh264-params';

/** Peak bitrate as a multiple of the target bitrate (OpenH264 `iMaxBitrate` / `iTargetBitrate`). */
export const PEAK_TO_TARGET_RATIO = 2;

/** Largest frame side the shim accepts (pixels). */
export const MAX_SIDE = 4096;

/** Profile, constraint and level bytes of an `avc1.PPCCLL` codec string (RFC 6381 §3.3). */
export function parseAvcCodecString(codec: string): { profileIdc: number; constraints: number; levelIdc: number } {
  const match = typeof codec === 'string' ? /^avc1\.([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(codec) : null;
  if (match === null) throw new TypeError(`codec must be an avc1.PPCCLL string, got ${describe(codec)}`);
  return {
    profileIdc: parseInt(match[1], 16),
    constraints: parseInt(match[2], 16),
    levelIdc: parseInt(match[3], 16),
  };
}

/**
 * Shim parameters for `settings`.
 * @throws TypeError when the settings are not Constrained Baseline or out of range
 */
export function openH264Params(settings: VideoEncoderSettings): OpenH264Params {
  assertObject('settings', settings);
  const { profileIdc, constraints, levelIdc } = parseAvcCodecString(settings.codec);
  if (profileIdc !== 0x42 || (constraints & 0x40) === 0) {
    throw new TypeError(
      `settings.codec must be H.264 Constrained Baseline (avc1.42E0xx or avc1.42C0xx), got ${describe(settings.codec)}: OpenH264 here encodes nothing else`,
    );
  }
  assertIntegerInRange('level_idc of settings.codec', levelIdc, 10, 52);
  assertIntegerInRange('settings.width', settings.width, 16, MAX_SIDE);
  assertIntegerInRange('settings.height', settings.height, 16, MAX_SIDE);
  if (settings.width % 2 !== 0 || settings.height % 2 !== 0) {
    throw new TypeError(`settings.width and settings.height must be even (4:2:0), got ${settings.width}x${settings.height}`);
  }
  assertIntegerInRange('settings.bitrate', settings.bitrate, 1000, 100_000_000);
  assertFiniteInRange('settings.framerate', settings.framerate, 0.01, 60);
  const levelMax = AVC_LEVELS.find((l) => l.levelIdc === levelIdc)?.maxBitrateBps ?? Number.POSITIVE_INFINITY;
  const maxBitrate = Math.min(Math.round(settings.bitrate * PEAK_TO_TARGET_RATIO), levelMax);
  if (maxBitrate <= settings.bitrate) {
    throw new TypeError(`settings.bitrate ${settings.bitrate} leaves no room under the level's MaxBR ${levelMax} bit/s`);
  }
  return {
    width: settings.width,
    height: settings.height,
    targetBitrate: settings.bitrate,
    maxBitrate,
    framerate: settings.framerate,
    levelIdc,
  };
}
