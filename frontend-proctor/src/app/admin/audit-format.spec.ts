import { MAX_DETAILS_CHARS, formatAuditDetails, formatAuditTarget } from './audit-format';

describe('audit formatting', () => {
  it('lists details as key: value pairs', () => {
    expect(formatAuditDetails({ examId: 'e1', studentId: 'S-1', created: 3, endedStreams: ['a'], empty: '', none: null })).toBe(
      'examId: e1 · studentId: S-1 · created: 3 · endedStreams: ["a"]',
    );
    expect(formatAuditDetails({ name: 'Algebra', endsAtMs: Date.UTC(2026, 10, 24, 12, 0) }, { timeZone: 'UTC' })).toBe(
      'name: Algebra · ends: 24 Nov 2026, 12:00',
    );
    expect(formatAuditDetails({})).toBe('');
    expect(formatAuditDetails(null)).toBe('');
    expect(formatAuditDetails([1, 2])).toBe('[1,2]');
  });

  it('cuts long details', () => {
    const s = formatAuditDetails({ note: 'x'.repeat(500) });
    expect(s).toHaveLength(MAX_DETAILS_CHARS);
    expect(s.endsWith('…')).toBe(true);
  });

  it('shortens long target ids', () => {
    expect(formatAuditTarget('seat', '3f2a9c1e-1111-2222-3333-444455556666')).toBe('seat 3f2a9c1e…');
    expect(formatAuditTarget('user', 'u1')).toBe('user u1');
    expect(formatAuditTarget(null, null)).toBe('—');
  });
});
