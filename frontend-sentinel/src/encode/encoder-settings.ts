/**
 * Encoder settings for a captured frame size and frame rate: scaled size (`fitWithin`), the
 * lowest H.264 level that fits (`selectAvcLevel`, ITU-T H.264 Table A-1) and the target
 * bitrate (`targetBitrate`). Pure.
 */
import { assertFps } from '../timing/media-time';
import { selectAvcLevel } from './avc-level';
import { targetBitrate } from './bitrate';
import type { VideoEncoderSettings } from './encoder-backend';
import { fitWithin, type Size } from './scaling';

/**
 * Settings to encode frames of `source` pixels at `fps` (0.2..5).
 * @throws TypeError on a bad size or frame rate
 */
export function encoderSettingsFor(source: Size, fps: number): VideoEncoderSettings {
  assertFps('fps', fps);
  const size = fitWithin(source);
  return {
    codec: selectAvcLevel(size, fps).codec,
    width: size.width,
    height: size.height,
    bitrate: targetBitrate(size, fps),
    framerate: fps,
  };
}

/** True when two settings are identical (no reconfiguration needed). */
export function sameSettings(a: VideoEncoderSettings | null, b: VideoEncoderSettings | null): boolean {
  return (
    a !== null &&
    b !== null &&
    a.codec === b.codec &&
    a.width === b.width &&
    a.height === b.height &&
    a.bitrate === b.bitrate &&
    a.framerate === b.framerate
  );
}
