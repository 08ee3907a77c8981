import { flagNoticeText } from './live-flags';
import { formatClock } from '../review/wall-clock';

describe('flagNoticeText', () => {
  const clock = (ms: number) => `t${ms}`;

  it('says what is being saved, and what was saved', () => {
    expect(flagNoticeText({ state: 'saving', kind: 'flag', atMs: 5 }, clock)).toBe('Saving flag at t5…');
    expect(flagNoticeText({ state: 'saved', kind: 'flag', atMs: 5 }, clock)).toBe('Flag at t5 saved');
    expect(flagNoticeText({ state: 'saved', kind: 'note', atMs: 7 }, clock)).toBe('Note at t7 saved');
  });

  it('says why it was not saved, or that nothing was on screen', () => {
    expect(flagNoticeText({ state: 'failed', kind: 'note', atMs: 7, why: 'Not found.' }, clock)).toBe('The note at t7 was not saved: Not found.');
    expect(flagNoticeText({ state: 'failed', kind: 'flag', atMs: null, why: 'no frame on screen to flag yet' }, clock)).toBe('The flag was not saved: no frame on screen to flag yet');
  });

  it('shows the local clock time to the second by default', () => {
    const at = new Date(2026, 10, 24, 10, 42, 13, 600).getTime();
    expect(flagNoticeText({ state: 'saved', kind: 'flag', atMs: at })).toBe(`Flag at ${formatClock(at, false)} saved`);
    expect(formatClock(at, false)).toBe('10:42:13');
  });
});
