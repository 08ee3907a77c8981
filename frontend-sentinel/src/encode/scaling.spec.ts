import { fitWithin, MAX_ENCODED_SIZE, sameSize } from './scaling';

describe('fitWithin (1920x1080 box, even sides, never upscale)', () => {
  it.each([
    [1920, 1080, 1920, 1080],
    [2560, 1440, 1920, 1080],
    [3840, 2160, 1920, 1080],
    [3440, 1440, 1920, 804], // 21:9: 803.7 -> nearest even
    [1280, 1024, 1280, 1024], // 5:4, inside the box
    [1280, 720, 1280, 720],
    [1366, 768, 1366, 768],
    [1279, 719, 1278, 718], // odd, smaller than the box: floor to even, no upscale
    [1921, 1081, 1920, 1080],
    [1080, 1920, 608, 1080], // portrait: 607.5 -> 608
    [5120, 1440, 1920, 540], // 32:9
    [3, 3, 2, 2],
    [2, 2, 2, 2],
    [1, 1, 2, 2], // the only enlargement: H.264 4:2:0 needs 2x2
    [10_000, 10, 1920, 2],
    [640, 480, 640, 480],
  ])('%ix%i -> %ix%i', (w, h, ew, eh) => {
    const out = fitWithin({ width: w, height: h });
    expect(out).toEqual({ width: ew, height: eh });
  });

  it('keeps every output even, within the box and no larger than the source (except 1 px sides)', () => {
    for (let w = 1; w <= 4000; w += 37) {
      for (let h = 1; h <= 2500; h += 41) {
        const out = fitWithin({ width: w, height: h });
        expect(out.width % 2).toBe(0);
        expect(out.height % 2).toBe(0);
        expect(out.width).toBeLessThanOrEqual(MAX_ENCODED_SIZE.width);
        expect(out.height).toBeLessThanOrEqual(MAX_ENCODED_SIZE.height);
        expect(out.width).toBeLessThanOrEqual(Math.max(2, w));
        expect(out.height).toBeLessThanOrEqual(Math.max(2, h));
      }
    }
  });

  it('preserves the aspect ratio to within one even step', () => {
    for (const [w, h] of [[2560, 1440], [3440, 1440], [2880, 1800], [1600, 1200], [1080, 2400]] as const) {
      const out = fitWithin({ width: w, height: h });
      const expectedHeight = (out.width * h) / w;
      expect(Math.abs(out.height - expectedHeight)).toBeLessThanOrEqual(2);
    }
  });

  it('accepts a custom even box', () => {
    expect(fitWithin({ width: 1920, height: 1080 }, { width: 1280, height: 720 })).toEqual({ width: 1280, height: 720 });
  });

  it('throws a TypeError naming the bad field', () => {
    expect(() => fitWithin(null as never)).toThrow('source must be an object, got null');
    expect(() => fitWithin({ width: 0, height: 10 })).toThrow('source.width must be an integer in [1, 65536], got 0');
    expect(() => fitWithin({ width: 10, height: -2 })).toThrow('source.height must be an integer in [1, 65536], got -2');
    expect(() => fitWithin({ width: 10.5, height: 10 })).toThrow(TypeError);
    expect(() => fitWithin({ width: NaN, height: 10 })).toThrow(TypeError);
    expect(() => fitWithin({ width: '1920', height: 10 } as never)).toThrow('source.width must be an integer in [1, 65536], got "1920"');
    expect(() => fitWithin({ width: 70_000, height: 10 })).toThrow(TypeError);
    expect(() => fitWithin({ width: 10, height: 10 }, { width: 1919, height: 1080 })).toThrow('max.width must be even, got 1919');
    expect(() => fitWithin({ width: 10, height: 10 }, { width: 0, height: 1080 })).toThrow(TypeError);
  });

  it('compares sizes', () => {
    expect(sameSize({ width: 2, height: 4 }, { width: 2, height: 4 })).toBe(true);
    expect(sameSize({ width: 2, height: 4 }, { width: 4, height: 2 })).toBe(false);
    expect(sameSize(null, { width: 2, height: 4 })).toBe(false);
  });
});
