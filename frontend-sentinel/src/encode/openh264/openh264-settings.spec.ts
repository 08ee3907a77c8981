import { encoderSettingsFor } from '../encoder-settings';
import { onlyRatesDiffer, openH264Params, parseAvcCodecString, PEAK_TO_TARGET_RATIO } from './openh264-settings';

describe('parseAvcCodecString', () => {
  test('reads profile, constraint and level bytes (RFC 6381 avc1.PPCCLL)', () => {
    expect(parseAvcCodecString('avc1.42E01F')).toEqual({ profileIdc: 0x42, constraints: 0xe0, levelIdc: 31 });
    expect(parseAvcCodecString('avc1.42c028')).toEqual({ profileIdc: 0x42, constraints: 0xc0, levelIdc: 40 });
  });

  test.each(['', 'avc1', 'avc1.42E01', 'avc3.42E01F', 'vp8', 42])('refuses %p', (codec) => {
    expect(() => parseAvcCodecString(codec as string)).toThrow('codec must be an avc1.PPCCLL string');
  });
});

describe('openH264Params', () => {
  test('the Sentinel settings for 1280x720 and 1920x1080 at 5 fps', () => {
    expect(openH264Params(encoderSettingsFor({ width: 1280, height: 720 }, 5))).toEqual({
      width: 1280,
      height: 720,
      targetBitrate: 1_000_000,
      maxBitrate: 2_000_000,
      framerate: 5,
      levelIdc: 31,
    });
    expect(openH264Params(encoderSettingsFor({ width: 2560, height: 1440 }, 0.2))).toEqual({
      width: 1920,
      height: 1080,
      targetBitrate: 281_000,
      maxBitrate: 562_000,
      framerate: 0.2,
      levelIdc: 40,
    });
  });

  test('the peak is capped at the level MaxBR for Baseline (ITU-T H.264 Table A-1)', () => {
    const params = openH264Params({ codec: 'avc1.42E01F', width: 1280, height: 720, bitrate: 9_000_000, framerate: 5 });
    expect(params.maxBitrate).toBe(14_000_000);
    expect(PEAK_TO_TARGET_RATIO * 9_000_000).toBeGreaterThan(14_000_000);
    expect(() => openH264Params({ codec: 'avc1.42E01F', width: 1280, height: 720, bitrate: 14_000_000, framerate: 5 })).toThrow(
      "leaves no room under the level's MaxBR",
    );
  });

  test.each([
    ['High profile', { codec: 'avc1.64001F' }, 'must be H.264 Constrained Baseline'],
    ['Baseline without constraint_set1', { codec: 'avc1.42001F' }, 'must be H.264 Constrained Baseline'],
    ['odd width', { width: 1279 }, 'must be even (4:2:0), got 1279x720'],
    ['tiny frame', { width: 8 }, 'settings.width must be an integer in [16, 4096], got 8'],
    ['fractional bitrate', { bitrate: 1.5e6 + 0.5 }, 'settings.bitrate must be an integer'],
    ['no frame rate', { framerate: 0 }, 'settings.framerate must be a finite number in [0.01, 60], got 0'],
  ])('refuses %s', (_name, change, message) => {
    const settings = { codec: 'avc1.42E01F', width: 1280, height: 720, bitrate: 1_000_000, framerate: 5, ...change };
    expect(() => openH264Params(settings)).toThrow(message);
  });
});

describe('onlyRatesDiffer', () => {
  const base = openH264Params(encoderSettingsFor({ width: 1280, height: 720 }, 5));
  test('bitrate and frame rate changes keep the encoder; size or level changes replace it', () => {
    expect(onlyRatesDiffer(base, { ...base, targetBitrate: 500_000, maxBitrate: 1_000_000, framerate: 1 })).toBe(true);
    expect(onlyRatesDiffer(base, { ...base, width: 1920 })).toBe(false);
    expect(onlyRatesDiffer(base, { ...base, levelIdc: 40 })).toBe(false);
  });
});
