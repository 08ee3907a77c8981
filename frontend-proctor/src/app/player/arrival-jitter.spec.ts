import { ArrivalJitter } from './arrival-jitter';

describe('ArrivalJitter', () => {
  it('is unknown until enough fragments arrived, then the spread of arrival minus media time', () => {
    const j = new ArrivalJitter(50);
    // 5 fps, arriving 0.1 s after their media time, the 4th 30 ms late
    const late = [0, 0, 0, 0.03, 0, 0, 0, 0, 0, 0];
    late.slice(0, 4).forEach((d, i) => j.add(100 + i * 0.2 + 0.1 + d, i * 0.2));
    expect(j.jitter()).toBeNull();
    late.slice(4).forEach((d, i) => j.add(100 + (i + 4) * 0.2 + 0.1 + d, (i + 4) * 0.2));
    expect(j.jitter()).toBeCloseTo(0.03, 9);
  });

  it('keeps only the window and ignores the rare outlier above the quantile', () => {
    const j = new ArrivalJitter(20, 0.95);
    j.add(10 + 5, 0); // one fragment 5 s late (a burst)
    for (let i = 1; i <= 40; i++) j.add(10 + i * 0.2 + (i % 2) * 0.01, i * 0.2);
    expect(j.size).toBe(20);
    expect(j.jitter()).toBeCloseTo(0.01, 9);
    const k = new ArrivalJitter(40, 0.95);
    k.add(10 + 5, 0);
    for (let i = 1; i < 40; i++) k.add(10 + i * 0.2, i * 0.2);
    expect(k.jitter()).toBeCloseTo(0, 9); // 1 outlier in 40 lies above the 95th percentile
  });

  it('forgets on clear, skips non-finite times and refuses bad settings', () => {
    const j = new ArrivalJitter();
    for (let i = 0; i < 10; i++) j.add(i, i);
    j.add(Number.NaN, 1);
    expect(j.size).toBe(10);
    j.clear();
    expect(j.jitter()).toBeNull();
    expect(() => new ArrivalJitter(1)).toThrow(RangeError);
    expect(() => new ArrivalJitter(10, 0)).toThrow(RangeError);
  });
});
