import { formatClock, formatDateTime, parseWallClock } from './wall-clock';

describe('wall clock', () => {
  const ref = new Date(2026, 10, 24, 14, 0, 0).getTime();

  it('formats local clock times', () => {
    const ms = new Date(2026, 10, 24, 9, 5, 7, 40).getTime();
    expect(formatClock(ms)).toBe('09:05:07.040');
    expect(formatClock(ms, false)).toBe('09:05:07');
    expect(formatClock(ms, false, true)).toBe('09:05');
    expect(formatDateTime(ms)).toBe('2026-11-24 09:05:07.040');
  });

  it('reads a clock time on the day nearest to the reference', () => {
    expect(parseWallClock('14:02:33', ref)).toBe(new Date(2026, 10, 24, 14, 2, 33).getTime());
    expect(parseWallClock(' 14:02 ', ref)).toBe(new Date(2026, 10, 24, 14, 2).getTime());
    expect(parseWallClock('14:02:33.4', ref)).toBe(new Date(2026, 10, 24, 14, 2, 33, 400).getTime());
    const lateRef = new Date(2026, 10, 24, 23, 50).getTime();
    expect(parseWallClock('00:10', lateRef)).toBe(new Date(2026, 10, 25, 0, 10).getTime());
  });

  it('reads local dates, zoned ISO 8601 times and epoch ms', () => {
    expect(parseWallClock('2026-11-24 14:02:33', ref)).toBe(new Date(2026, 10, 24, 14, 2, 33).getTime());
    expect(parseWallClock('2026-11-24T14:02', ref)).toBe(new Date(2026, 10, 24, 14, 2).getTime());
    expect(parseWallClock('2026-11-24T13:02:33Z', ref)).toBe(Date.UTC(2026, 10, 24, 13, 2, 33));
    expect(parseWallClock('2026-11-24T14:02:33.250+01:00', ref)).toBe(Date.UTC(2026, 10, 24, 13, 2, 33, 250));
    expect(parseWallClock('1767000000000', ref)).toBe(1_767_000_000_000);
  });

  it('refuses what is not a time', () => {
    for (const bad of ['', 'noon', '25:00', '14:61', '14:02:99', '2026-11-24', '12345']) expect(parseWallClock(bad, ref)).toBeNull();
  });
});
