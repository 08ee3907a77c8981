import { checkSettle, lastStableLevel, parseRamp, rampDefaultDurationMs, rampFullAtMs, rampTarget, stepJoinMs, stepJudgedFromMs } from './ramp';

describe('parseRamp', () => {
  it('reads start,step,every-seconds,max', () => {
    expect(parseRamp('50,50,30,1000')).toEqual({ start: 50, step: 50, everyS: 30, max: 1000 });
    expect(parseRamp(' 10, 5, 2.5, 12 ')).toEqual({ start: 10, step: 5, everyS: 2.5, max: 12 });
  });

  it.each([
    ['50,50,30', /four numbers/],
    ['a,1,1,1', /four numbers/],
    ['0,1,1,1', /start must be a whole number >= 1/],
    ['1,1.5,1,2', /step must be a whole number >= 1/],
    ['1,1,0,2', /every-seconds must be > 0/],
    ['10,1,1,5', /max \(5\) must be >= start \(10\)/],
  ])('refuses %s', (text, message) => {
    expect(() => parseRamp(text)).toThrow(message);
  });
});

describe('ramp schedule', () => {
  const plan = { start: 10, step: 20, everyS: 30, max: 55 };

  it('adds a step at the start of every period and stops at max', () => {
    expect(rampTarget(plan, -1)).toBe(0);
    expect(rampTarget(plan, 0)).toBe(10);
    expect(rampTarget(plan, 29_999)).toBe(10);
    expect(rampTarget(plan, 30_000)).toBe(30);
    expect(rampTarget(plan, 60_000)).toBe(50);
    expect(rampTarget(plan, 90_000)).toBe(55);
    expect(rampTarget(plan, 10_000_000)).toBe(55);
  });

  it('is full after ceil((max - start) / step) periods and runs one more by default', () => {
    expect(rampFullAtMs(plan)).toBe(90_000);
    expect(rampDefaultDurationMs(plan)).toBe(120_000);
    expect(rampFullAtMs({ start: 5, step: 1, everyS: 1, max: 5 })).toBe(0);
  });

  it('names the last level that held a whole period', () => {
    expect(lastStableLevel(plan, null)).toBe(55);
    expect(lastStableLevel(plan, 5_000)).toBe(0); // the first level failed
    expect(lastStableLevel(plan, 45_000)).toBe(10); // stopped at 30: 10 held
    expect(lastStableLevel(plan, 61_000)).toBe(30);
    expect(lastStableLevel(plan, 200_000)).toBe(55); // at max for periods already
  });
});

describe('judging a ramp level once it settled (--settle)', () => {
  it('waits for the last join (k / rate seconds, plus its phase in one frame interval) and the settle time', () => {
    expect(stepJoinMs(200, 80, 1000)).toBeCloseTo((199 / 80) * 1000 + 1000, 6);
    expect(stepJoinMs(200, null, 1000)).toBe(1000); // all within one frame interval
    expect(stepJoinMs(1, 80, 200)).toBe(200);
    expect(stepJudgedFromMs(30_000, 200, 80, 1000, 3)).toBeCloseTo(30_000 + (199 / 80) * 1000 + 1000 + 3000, 6);
  });

  it('refuses a settle time that leaves less than one second of a step to judge', () => {
    const plan = { start: 200, step: 200, everyS: 10, max: 4000 };
    expect(() => checkSettle(plan, 80, 1000, 3)).not.toThrow(); // 3.5 s joining + 3 s of a 10 s step
    expect(() => checkSettle(plan, 80, 1000, 4.5)).not.toThrow(); // 8.0 s: one judged tick left
    expect(() => checkSettle(plan, 80, 1000, 4.6)).toThrow(
      /--settle 4.6 leaves less than one judged second of a 10 s ramp step: its 200 Sentinels take 3.5 s to join at --join-rate 80/,
    );
    expect(() => checkSettle(plan, 20, 1000, 0)).toThrow(/take 10.9 s to join/);
  });
});
