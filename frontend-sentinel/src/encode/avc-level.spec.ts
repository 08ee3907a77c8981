import { AVC_LEVEL_3_1, AVC_LEVEL_4_0, macroblocks, selectAvcLevel } from './avc-level';

describe('H.264 level selection (ITU-T H.264 Table A-1)', () => {
  it('counts macroblocks of the coded size (sides rounded up to 16)', () => {
    expect(macroblocks({ width: 1280, height: 720 })).toEqual({ across: 80, down: 45, total: 3600 });
    expect(macroblocks({ width: 1920, height: 1080 })).toEqual({ across: 120, down: 68, total: 8160 }); // 1920x1088
    expect(macroblocks({ width: 2, height: 2 })).toEqual({ across: 1, down: 1, total: 1 });
  });

  it('uses level 3.1 up to 3600 macroblocks (1280x720)', () => {
    expect(selectAvcLevel({ width: 1280, height: 720 })).toBe(AVC_LEVEL_3_1);
    expect(selectAvcLevel({ width: 1024, height: 768 })).toBe(AVC_LEVEL_3_1); // 64x48 = 3072
    expect(selectAvcLevel({ width: 640, height: 480 }).codec).toBe('avc1.42E01F');
    expect(selectAvcLevel({ width: 2, height: 2 }).levelIdc).toBe(31);
  });

  it('uses level 4.0 above 1280x720, up to 1920x1080', () => {
    expect(selectAvcLevel({ width: 1282, height: 720 })).toBe(AVC_LEVEL_4_0); // 81x45 = 3645 > 3600
    expect(selectAvcLevel({ width: 1366, height: 768 })).toBe(AVC_LEVEL_4_0);
    expect(selectAvcLevel({ width: 1920, height: 1080 })).toBe(AVC_LEVEL_4_0);
    expect(selectAvcLevel({ width: 1920, height: 1080 }).codec).toBe('avc1.42E028');
    expect(selectAvcLevel({ width: 1920, height: 804 }).levelIdc).toBe(40);
  });

  it('applies the side limit sqrt(8 * MaxFS) macroblocks (169 at 3.1, 256 at 4.0)', () => {
    expect(selectAvcLevel({ width: 1920, height: 2 })).toBe(AVC_LEVEL_3_1);
    // 2720 px = 170 MBs across: over level 3.1's 169.7, within 4.0's 256
    expect(selectAvcLevel({ width: 2720, height: 16 })).toBe(AVC_LEVEL_4_0);
  });

  it('applies MaxMBPS at high frame rates', () => {
    expect(selectAvcLevel({ width: 1280, height: 720 }, 30)).toBe(AVC_LEVEL_3_1); // 108000 MB/s exactly
    expect(selectAvcLevel({ width: 1280, height: 720 }, 31)).toBe(AVC_LEVEL_4_0);
  });

  it('throws a RangeError beyond level 4.0', () => {
    expect(() => selectAvcLevel({ width: 2560, height: 1440 })).toThrow(RangeError);
    expect(() => selectAvcLevel({ width: 2560, height: 1440 })).toThrow('scale it with fitWithin() first');
  });

  it('throws a TypeError on bad input', () => {
    expect(() => selectAvcLevel(undefined as never)).toThrow('size must be an object, got undefined');
    expect(() => selectAvcLevel({ width: 0, height: 720 })).toThrow('size.width must be an integer in [1, 65536], got 0');
    expect(() => selectAvcLevel({ width: 1280, height: 7.5 })).toThrow(TypeError);
    expect(() => selectAvcLevel({ width: 1280, height: 720 }, 0)).toThrow('fps must be a finite number');
    expect(() => selectAvcLevel({ width: 1280, height: 720 }, NaN)).toThrow(TypeError);
  });
});
