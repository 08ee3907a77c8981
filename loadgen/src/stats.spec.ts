import fc from 'fast-check';
import { LatencyHistogram, WindowedHistogram, bucketOf, bucketRange, percentileOfSorted } from './stats';

describe('bucketOf / bucketRange', () => {
  it('is exact below 256 µs and contiguous above, each bucket holding its values', () => {
    for (let us = 0; us < 256; us++) expect(bucketRange(bucketOf(us))).toEqual({ lowerUs: us, widthUs: 1 });
    let previous = bucketOf(255);
    for (let us = 256; us < 70_000; us++) {
      const b = bucketOf(us);
      expect(b === previous || b === previous + 1).toBe(true);
      const { lowerUs, widthUs } = bucketRange(b);
      expect(us).toBeGreaterThanOrEqual(lowerUs);
      expect(us).toBeLessThan(lowerUs + widthUs);
      previous = b;
    }
  });

  it('keeps the bucket width within 1/128 of the value (relative error of a midpoint <= 0.4 %)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 256, max: 2 ** 39 }), (us) => {
        const { lowerUs, widthUs } = bucketRange(bucketOf(us));
        return us >= lowerUs && us < lowerUs + widthUs && widthUs / lowerUs <= 1 / 128;
      }),
    );
  });
});

describe('LatencyHistogram', () => {
  it('answers null without samples', () => {
    const h = new LatencyHistogram();
    expect(h.percentile(50)).toBeNull();
    expect(h.summary()).toEqual({ count: 0, min: null, mean: null, median: null, p50: null, p95: null, p99: null, max: null });
  });

  it('gives exact nearest-rank percentiles for 1..100 ms within 0.4 %', () => {
    const h = new LatencyHistogram();
    for (let v = 100; v >= 1; v--) h.record(v);
    const s = h.summary();
    expect(s.count).toBe(100);
    expect(s.min).toBe(1);
    expect(s.max).toBe(100);
    expect(s.mean).toBeCloseTo(50.5, 9);
    expect(s.median).toBe(s.p50);
    expect(Math.abs(s.p50! - 50) / 50).toBeLessThan(0.004);
    expect(Math.abs(s.p95! - 95) / 95).toBeLessThan(0.004);
    expect(Math.abs(s.p99! - 99) / 99).toBeLessThan(0.004);
    expect(h.percentile(0)).toBe(1);
    expect(h.percentile(100)).toBe(100);
  });

  it('matches exact percentiles of random samples within the bucket error', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 60_000, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 99 }), (values, q) => {
        const h = new LatencyHistogram();
        for (const v of values) h.record(v);
        const exact = percentileOfSorted([...values].sort((a, b) => a - b), q)!;
        const got = h.percentile(q)!;
        // rounding to whole µs, then the bucket midpoint
        return Math.abs(got - exact) <= Math.max(0.001, exact * 0.004);
      }),
    );
  });

  it('clamps negative and non-finite samples to 0 and counts them', () => {
    const h = new LatencyHistogram();
    h.record(-3);
    h.record(Number.NaN);
    h.record(2);
    expect(h.clamped).toBe(2);
    expect(h.summary().min).toBe(0);
    expect(h.count).toBe(3);
  });

  it('merges and clears', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    a.record(1);
    b.record(1000);
    b.record(3);
    a.merge(b);
    expect(a.summary()).toMatchObject({ count: 3, min: 1, max: 1000 });
    a.clear();
    expect(a.count).toBe(0);
    expect(a.percentile(99)).toBeNull();
  });

  it('refuses a percentile outside 0..100', () => {
    expect(() => new LatencyHistogram().percentile(101)).toThrow(RangeError);
    expect(() => percentileOfSorted([1], -1)).toThrow(RangeError);
  });
});

describe('WindowedHistogram', () => {
  it('keeps the last `slots` seconds', () => {
    const w = new WindowedHistogram(3);
    w.record(1); // second 1
    w.rotate();
    w.record(2); // second 2
    w.rotate();
    w.record(3); // second 3
    expect(w.merged().count).toBe(3);
    expect(w.merged(1).percentile(100)).toBe(3);
    const ended = w.rotate(); // second 4 starts; second 1 forgotten
    expect(ended.percentile(100)).toBe(3);
    expect(w.current.count).toBe(0);
    expect(w.merged().summary()).toMatchObject({ count: 2, min: 2, max: 3 });
    w.clear();
    expect(w.merged().count).toBe(0);
  });

  it('refuses a window of no seconds', () => {
    expect(() => new WindowedHistogram(0)).toThrow(RangeError);
  });
});

describe('percentileOfSorted', () => {
  it('is nearest-rank', () => {
    expect(percentileOfSorted([], 50)).toBeNull();
    expect(percentileOfSorted([1, 2, 3, 4], 50)).toBe(2);
    expect(percentileOfSorted([1, 2, 3, 4], 51)).toBe(3);
    expect(percentileOfSorted([1, 2, 3, 4], 100)).toBe(4);
    expect(percentileOfSorted([1, 2, 3, 4], 0)).toBe(1);
  });
});
