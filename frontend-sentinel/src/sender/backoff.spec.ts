import { Backoff, backoffDelayMs } from './backoff';

describe('reconnect backoff (0.5 s .. 10 s, exponential, jittered)', () => {
  it('doubles from 0.5 s to the 10 s cap without jitter', () => {
    const delays = Array.from({ length: 8 }, (_, i) => backoffDelayMs(i, 0.5));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('jitters by +/- 25 % and stays within 0.5 s .. 10 s', () => {
    expect(backoffDelayMs(3, 0)).toBe(3000);
    expect(backoffDelayMs(3, 0.999999)).toBeCloseTo(5000, 0);
    expect(backoffDelayMs(0, 0)).toBe(500); // 375 clamped up
    expect(backoffDelayMs(10, 0.99)).toBe(10_000); // clamped down
    for (let attempt = 0; attempt < 60; attempt++) {
      for (const r of [0, 0.1, 0.5, 0.9, 0.999]) {
        const d = backoffDelayMs(attempt, r);
        expect(d).toBeGreaterThanOrEqual(500);
        expect(d).toBeLessThanOrEqual(10_000);
      }
    }
  });

  it('does not overflow for huge attempt counts', () => {
    expect(backoffDelayMs(10_000, 0.5)).toBe(10_000);
  });

  it('accepts other bounds', () => {
    expect(backoffDelayMs(0, 0.5, { minMs: 100, maxMs: 1000, jitter: 0 })).toBe(100);
    expect(backoffDelayMs(5, 0.5, { minMs: 100, maxMs: 1000, jitter: 0 })).toBe(1000);
  });

  it('counts attempts and resets', () => {
    const b = new Backoff({}, () => 0.5);
    expect([b.next(), b.next(), b.next()]).toEqual([500, 1000, 2000]);
    expect(b.attempt).toBe(3);
    b.reset();
    expect(b.next()).toBe(500);
  });

  it('throws a TypeError on bad input', () => {
    expect(() => backoffDelayMs(-1, 0.5)).toThrow('attempt must be an integer >= 0, got -1');
    expect(() => backoffDelayMs(1.5, 0.5)).toThrow(TypeError);
    expect(() => backoffDelayMs(0, 1.5)).toThrow('random must be a finite number in [0, 1], got 1.5');
    expect(() => backoffDelayMs(0, NaN)).toThrow(TypeError);
    expect(() => backoffDelayMs(0, 0.5, { minMs: 0 })).toThrow('options.minMs must be a finite number');
    expect(() => backoffDelayMs(0, 0.5, { minMs: 1000, maxMs: 500 })).toThrow('options.maxMs must be a finite number in [1000, 3600000], got 500');
    expect(() => backoffDelayMs(0, 0.5, { jitter: 2 })).toThrow('options.jitter must be a finite number in [0, 1], got 2');
    expect(() => new Backoff({}, 'random' as never)).toThrow('random must be a function');
  });
});
