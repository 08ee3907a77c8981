import { examPhase, examPhaseLabel, formatDateTime, formatExamWindow } from './exam-schedule';

const UTC = { locale: 'en-GB', timeZone: 'UTC' };
const at = (iso: string) => Date.parse(iso);

describe('exam schedule', () => {
  it('tells upcoming, running and over apart (end exclusive)', () => {
    const s = at('2026-11-24T09:00:00Z');
    const e = at('2026-11-24T12:00:00Z');
    expect(examPhase(s, e, s - 1)).toBe('upcoming');
    expect(examPhase(s, e, s)).toBe('running');
    expect(examPhase(s, e, e - 1)).toBe('running');
    expect(examPhase(s, e, e)).toBe('over');
    expect(examPhaseLabel('running')).toBe('Running');
  });

  it('formats dates and windows', () => {
    expect(formatDateTime(at('2026-11-24T09:05:00Z'), UTC)).toBe('24 Nov 2026, 09:05');
    expect(formatDateTime(null, UTC)).toBe('—');
    expect(formatExamWindow(at('2026-11-24T09:00:00Z'), at('2026-11-24T12:30:00Z'), UTC)).toBe('24 Nov 2026, 09:00–12:30');
    expect(formatExamWindow(at('2026-11-24T22:00:00Z'), at('2026-11-25T01:00:00Z'), UTC)).toBe(
      '24 Nov 2026, 22:00 – 25 Nov 2026, 01:00',
    );
    // The same instant on another day in another zone.
    expect(formatExamWindow(at('2026-11-24T22:00:00Z'), at('2026-11-24T23:00:00Z'), { locale: 'en-GB', timeZone: 'Asia/Tokyo' })).toBe(
      '25 Nov 2026, 07:00–08:00',
    );
  });
});
