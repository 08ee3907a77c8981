import { msToTicks, sampleDurationTicks, TICKS_PER_MS, ticksToMs, ticksToUs, usToTicks } from './media-time';

describe('media time (90 kHz ticks)', () => {
  it('has 90 ticks per millisecond', () => {
    expect(TICKS_PER_MS).toBe(90);
  });

  it('sizes a sample from the frame rate', () => {
    expect(sampleDurationTicks(5)).toBe(18_000);
    expect(sampleDurationTicks(1)).toBe(90_000);
    expect(sampleDurationTicks(0.2)).toBe(450_000);
    expect(sampleDurationTicks(0.7)).toBe(128_571); // 128571.43 rounded
  });

  it('refuses frame rates outside 0.2..5 fps with a TypeError', () => {
    for (const bad of [0, 0.1, 5.1, -1, NaN, Infinity, '1', null, undefined]) {
      expect(() => sampleDurationTicks(bad as number)).toThrow(TypeError);
    }
    expect(() => sampleDurationTicks(6)).toThrow('fps must be a finite number in [0.2, 5], got 6');
  });

  it('converts milliseconds to ticks and back', () => {
    expect(msToTicks(1000)).toBe(90_000);
    expect(msToTicks(0.5)).toBe(45);
    expect(msToTicks(0.004)).toBe(0);
    expect(ticksToMs(45)).toBe(0.5);
    expect(() => msToTicks(NaN)).toThrow(TypeError);
    expect(() => ticksToMs(1.5)).toThrow('ticks must be an integer');
  });

  it('round-trips ticks through WebCodecs microseconds exactly', () => {
    for (const ticks of [0, 1, 2, 17, 18_000, 90_000, 123_456_789, 9_000_000_000_001]) {
      expect(usToTicks(ticksToUs(ticks))).toBe(ticks);
    }
    expect(ticksToUs(90_000)).toBe(1_000_000);
    expect(ticksToUs(1)).toBe(11); // 11.1 µs
    expect(() => ticksToUs(0.5)).toThrow(TypeError);
    expect(() => usToTicks(Infinity)).toThrow(TypeError);
  });

  it('maps distinct ticks to distinct microseconds', () => {
    const seen = new Set<number>();
    for (let t = 0; t < 10_000; t++) seen.add(ticksToUs(t));
    expect(seen.size).toBe(10_000);
  });
});
