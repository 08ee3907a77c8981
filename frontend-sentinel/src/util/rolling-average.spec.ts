import { RollingAverage } from './rolling-average';

describe('RollingAverage', () => {
  it('averages the last N samples', () => {
    const avg = new RollingAverage(3);
    expect(avg.mean).toBe(0);
    avg.add(3);
    avg.add(6);
    expect(avg.mean).toBe(4.5);
    avg.add(9);
    avg.add(12); // drops 3
    expect(avg.mean).toBe(9);
    expect(avg.latest).toBe(12);
    expect(avg.count).toBe(3);
  });

  it('gives the median of the window', () => {
    const avg = new RollingAverage(4);
    expect(avg.median).toBe(0);
    avg.add(300);
    expect(avg.median).toBe(300);
    for (const v of [30, 40, 35]) avg.add(v);
    expect(avg.median).toBe(37.5);
    avg.add(20); // drops 300
    expect(avg.median).toBe(32.5);
  });

  it('throws a TypeError on bad input', () => {
    expect(() => new RollingAverage(0)).toThrow('size must be an integer in [1, 10000], got 0');
    expect(() => new RollingAverage(2).add(NaN)).toThrow('value must be a finite number, got NaN');
  });
});
