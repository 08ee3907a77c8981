import { MAX_BITRATE_BPS, MIN_BITRATE_BPS, targetBitrate } from './bitrate';

describe('targetBitrate (bits per second)', () => {
  it('matches the measured reference points at 5 fps', () => {
    expect(targetBitrate({ width: 1280, height: 720 }, 5)).toBe(1_000_000);
    const fullHd = targetBitrate({ width: 1920, height: 1080 }, 5);
    expect(fullHd).toBeGreaterThan(1_350_000);
    expect(fullHd).toBeLessThan(1_450_000);
  });

  it('scales with the square root of the frame rate', () => {
    expect(targetBitrate({ width: 1280, height: 720 }, 1.25)).toBe(500_000);
    expect(targetBitrate({ width: 1920, height: 1080 }, 1)).toBe(629_000);
    expect(targetBitrate({ width: 1920, height: 1080 }, 0.2)).toBe(281_000);
  });

  it('gives more bits per frame at lower frame rates', () => {
    const size = { width: 1920, height: 1080 };
    const perFrame = (fps: number) => targetBitrate(size, fps) / fps;
    expect(perFrame(0.2)).toBeGreaterThan(perFrame(1));
    expect(perFrame(1)).toBeGreaterThan(perFrame(5));
  });

  it('grows with the frame size, sub-linearly', () => {
    const small = targetBitrate({ width: 640, height: 360 }, 5);
    const large = targetBitrate({ width: 1280, height: 720 }, 5);
    expect(large).toBeGreaterThan(small);
    expect(large / small).toBeLessThan(4);
  });

  it('is clamped and rounded to 1 kbit/s', () => {
    expect(targetBitrate({ width: 2, height: 2 }, 0.2)).toBe(MIN_BITRATE_BPS);
    expect(targetBitrate({ width: 4096, height: 4096 }, 5)).toBe(MAX_BITRATE_BPS);
    expect(targetBitrate({ width: 1366, height: 768 }, 3) % 1000).toBe(0);
  });

  it('throws a TypeError on bad input', () => {
    expect(() => targetBitrate(null as never, 1)).toThrow('size must be an object');
    expect(() => targetBitrate({ width: -1, height: 2 }, 1)).toThrow('size.width must be an integer');
    expect(() => targetBitrate({ width: 2, height: 2 }, 0.1)).toThrow('fps must be a finite number in [0.2, 5], got 0.1');
    expect(() => targetBitrate({ width: 2, height: 2 }, NaN)).toThrow(TypeError);
  });
});
