import { expiredRecordings } from './retention-policy';

describe('expiredRecordings', () => {
  const DAY = 24 * 3600_000;
  const now = 1_800_000_000_000;
  const exams = new Map([
    ['short', 1],
    ['long', 30],
  ]);

  it('deletes what outlived its exam retention, oldest first', () => {
    const recordings = [
      { streamId: 'a', examId: 'short', lastActivityMs: now - 2 * DAY },
      { streamId: 'b', examId: 'short', lastActivityMs: now - DAY + 1 }, // 1 ms short of a day
      { streamId: 'c', examId: 'long', lastActivityMs: now - 29 * DAY },
      { streamId: 'd', examId: 'long', lastActivityMs: now - 31 * DAY },
      { streamId: 'e', examId: 'short', lastActivityMs: now - DAY }, // exactly a day: expired
    ];
    expect(expiredRecordings(recordings, exams, new Set(), now, 30)).toEqual(['d', 'a', 'e']);
  });

  it('keeps streams the relay still holds, whatever their age', () => {
    const recordings = [{ streamId: 'live', examId: 'short', lastActivityMs: now - 10 * DAY }];
    expect(expiredRecordings(recordings, exams, new Set(['live']), now, 30)).toEqual([]);
  });

  it('uses the default retention when the exam is gone', () => {
    const recordings = [
      { streamId: 'x', examId: 'deleted', lastActivityMs: now - 8 * DAY },
      { streamId: 'y', examId: 'deleted', lastActivityMs: now - 6 * DAY },
    ];
    expect(expiredRecordings(recordings, exams, new Set(), now, 7)).toEqual(['x']);
  });

  it('refuses retentions that are not whole days >= 1', () => {
    expect(() => expiredRecordings([], exams, new Set(), now, 0)).toThrow(new TypeError('defaultDays must be a whole number of days >= 1, got 0'));
    const bad = new Map([['e', 0.5]]);
    expect(() => expiredRecordings([{ streamId: 's', examId: 'e', lastActivityMs: 0 }], bad, new Set(), now, 30)).toThrow(/retention of exam e/);
  });
});
