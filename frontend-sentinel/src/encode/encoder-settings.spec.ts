import { encoderSettingsFor, sameSettings } from './encoder-settings';

describe('encoderSettingsFor', () => {
  it('scales a 1440p screen to 1080p at level 4.0', () => {
    expect(encoderSettingsFor({ width: 2560, height: 1440 }, 1)).toEqual({
      codec: 'avc1.42E028',
      width: 1920,
      height: 1080,
      bitrate: 629_000,
      framerate: 1,
    });
  });

  it('keeps a 720p screen at level 3.1', () => {
    const s = encoderSettingsFor({ width: 1280, height: 720 }, 5);
    expect(s.codec).toBe('avc1.42E01F');
    expect(s.bitrate).toBe(1_000_000);
  });

  it('throws a TypeError on bad input', () => {
    expect(() => encoderSettingsFor({ width: 1280, height: 720 }, 10)).toThrow(TypeError);
    expect(() => encoderSettingsFor({ width: 0, height: 720 }, 1)).toThrow(TypeError);
  });

  it('compares settings', () => {
    const a = encoderSettingsFor({ width: 1280, height: 720 }, 5);
    expect(sameSettings(a, { ...a })).toBe(true);
    expect(sameSettings(a, { ...a, framerate: 1 })).toBe(false);
    expect(sameSettings(a, null)).toBe(false);
  });
});
