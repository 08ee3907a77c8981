import { FrameClock, backoffMs, firstGopFrames, frameIntervalMs, frameTicks, phaseOffsetMs } from './pacing';

describe('frame timing', () => {
  it('gives the interval and the 90 kHz duration of a frame', () => {
    expect(frameIntervalMs(5)).toBe(200);
    expect(frameIntervalMs(0.2)).toBe(5000);
    expect(frameTicks(5)).toBe(18_000);
    expect(frameTicks(1)).toBe(90_000);
    expect(frameTicks(3)).toBe(30_000);
    expect(() => frameIntervalMs(0)).toThrow(RangeError);
  });

  it('spreads Sentinels over the interval, evenly for any prefix', () => {
    const interval = 1000;
    for (const n of [2, 10, 200]) {
      const offsets = Array.from({ length: n }, (_, i) => phaseOffsetMs(i, interval)).sort((a, b) => a - b);
      expect(offsets[0]).toBeGreaterThanOrEqual(0);
      expect(offsets[n - 1]).toBeLessThan(interval);
      const gaps = offsets.slice(1).map((v, i) => v - offsets[i]!);
      // golden-ratio points: no gap larger than ~2.6 times the even spacing
      expect(Math.max(...gaps, interval - offsets[n - 1]! + offsets[0]!)).toBeLessThan((2.7 * interval) / n);
    }
  });
});

describe('firstGopFrames', () => {
  it('spreads the IDRs of Sentinels started together over the GOP', () => {
    const gop = 25;
    const counts = Array.from({ length: 200 }, (_, i) => firstGopFrames(i, gop));
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...counts)).toBeLessThanOrEqual(gop);
    // every position of the GOP gets about 200 / 25 = 8 Sentinels' IDRs, none more than twice that
    const perPosition = Array.from({ length: gop }, (_, k) => counts.filter((c) => c === k + 1).length);
    expect(Math.min(...perPosition)).toBeGreaterThanOrEqual(4);
    expect(Math.max(...perPosition)).toBeLessThanOrEqual(16);
  });

  it('keeps a one-frame GOP (every frame an IDR) and refuses a GOP that is not a whole number >= 1', () => {
    expect(firstGopFrames(7, 1)).toBe(1);
    expect(() => firstGopFrames(0, 0)).toThrow(RangeError);
    expect(() => firstGopFrames(0, 2.5)).toThrow(RangeError);
  });
});

describe('FrameClock', () => {
  it('is due at start + k * interval', () => {
    const c = new FrameClock(1000, 200);
    expect(c.poll(999)).toEqual({ due: false, waitMs: 1 });
    expect(c.poll(1000)).toEqual({ due: true, missed: 0, waitMs: 200 });
    expect(c.poll(1100)).toEqual({ due: false, waitMs: 100 });
    expect(c.poll(1250)).toEqual({ due: true, missed: 0, waitMs: 150 });
    expect(c.nextDueMs).toBe(1400);
  });

  it('drops the frames a late caller missed and stays on its grid', () => {
    const c = new FrameClock(0, 100);
    c.poll(0);
    expect(c.poll(350)).toEqual({ due: true, missed: 2, waitMs: 50 });
    expect(c.nextDueMs).toBe(400);
  });

  it('retimes for a new frame rate one new interval from now', () => {
    const c = new FrameClock(0, 1000);
    c.poll(0);
    c.retime(200, 500);
    expect(c.poll(600)).toEqual({ due: false, waitMs: 100 });
    expect(c.poll(700)).toEqual({ due: true, missed: 0, waitMs: 200 });
    expect(() => c.retime(0, 0)).toThrow(RangeError);
  });
});

describe('backoffMs', () => {
  it('doubles from 0.5 s to 10 s with jitter in [0.5, 1)', () => {
    expect(backoffMs(1, 0)).toBe(250);
    expect(backoffMs(1, 0.999)).toBeCloseTo(499.75);
    expect(backoffMs(2, 0)).toBe(500);
    expect(backoffMs(5, 0)).toBe(4000);
    expect(backoffMs(6, 0.5)).toBe(7500);
    expect(backoffMs(50, 0.999)).toBeLessThan(10_000);
    expect(backoffMs(50, 0)).toBe(5000);
  });
});
