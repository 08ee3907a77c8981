import { FragmentTable } from './fragment-table';

/** Pushes row `n` with fields derived from `n`, so every read can be checked. */
function pushRow(t: FragmentTable, n: number): number {
  return t.push(n + 1, n % 25 === 0, n * 90_000, 90_000, n % 7 === 0 ? null : 1_796_563_515_196.25 + n * 1000, 1_796_563_515_300 + n * 1000, n * 11_000, 11_000 + n);
}

function expectRow(t: FragmentTable, n: number): void {
  expect([t.sequence(n), t.join(n), t.decodeTime(n), t.duration(n), t.captureTimeMs(n), t.receivedAtMs(n), t.offset(n), t.bytes(n)]).toEqual([
    n + 1,
    n % 25 === 0,
    n * 90_000,
    90_000,
    n % 7 === 0 ? null : 1_796_563_515_196.25 + n * 1000,
    1_796_563_515_300 + n * 1000,
    n * 11_000,
    11_000 + n,
  ]);
}

describe('FragmentTable', () => {
  it('keeps every field of every row exactly (fractional capture times, null, ms since the epoch)', () => {
    const t = new FragmentTable(4);
    for (let n = 0; n < 3; n++) expect(pushRow(t, n)).toBe(n);
    expect([t.first, t.end, t.length]).toEqual([0, 3, 3]);
    for (let n = 0; n < 3; n++) expectRow(t, n);
  });

  it('grows past its room with rows wrapped around, in order, and numbers stay absolute', () => {
    const t = new FragmentTable(4);
    for (let n = 0; n < 4; n++) pushRow(t, n);
    t.dropBefore(3); // the oldest row now sits in the last slot: the next pushes wrap around
    for (let n = 4; n < 40; n++) pushRow(t, n);
    expect([t.first, t.end, t.length]).toEqual([3, 40, 37]);
    for (let n = 3; n < 40; n++) expectRow(t, n);
  });

  it('drops the oldest rows; clear keeps the numbering; a row not held is a RangeError', () => {
    const t = new FragmentTable(2);
    for (let n = 0; n < 5; n++) pushRow(t, n);
    t.dropBefore(2);
    expect(() => t.sequence(1)).toThrow(/row 1 is not held \(rows 2\.\.4\)/);
    expect(() => t.sequence(5)).toThrow(RangeError);
    expect(() => t.dropBefore(1)).toThrow(/row 1 is outside 2\.\.5/);
    expect(() => t.dropBefore(6)).toThrow(RangeError);
    expectRow(t, 2);
    t.clear();
    expect([t.first, t.end, t.length]).toEqual([5, 5, 0]);
    expect(pushRow(t, 5)).toBe(5);
    expectRow(t, 5);
  });

  it('refuses a room that is not a whole number of rows', () => {
    expect(() => new FragmentTable(0)).toThrow(TypeError);
    expect(() => new FragmentTable(1.5)).toThrow(TypeError);
  });
});
