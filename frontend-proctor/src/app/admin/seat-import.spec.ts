import { applyImportAnswer, kioskCsvFileName, parseCsvRecords, planCounts, planImport, readSeatCsv, rowLabel } from './seat-import';

describe('parseCsvRecords', () => {
  it('reads , and ; separated fields, quotes, CRLF, a BOM, and skips empty lines', () => {
    const text = '\ufeffstudentId;displayName\r\nS-1, Ada Lovelace \r\n\r\n"S-2","Hopper, Grace"\n  "S-3" ;"Say ""hi"""\n';
    expect(parseCsvRecords(text)).toEqual([
      ['studentId', 'displayName'],
      ['S-1', 'Ada Lovelace'],
      ['S-2', 'Hopper, Grace'],
      ['S-3', 'Say "hi"'],
    ]);
    expect(parseCsvRecords('a,b')).toEqual([['a', 'b']]);
    expect(parseCsvRecords('')).toEqual([]);
  });

  it('refuses an unclosed quote', () => {
    expect(() => parseCsvRecords('a,b\n"x,y\n')).toThrow(/Quote Not Closed/);
  });
});

describe('readSeatCsv', () => {
  it('accepts the header aliases and ignores other columns', () => {
    const csv = readSeatCsv('Student ID,email,Name\nS-1,a@example.org,Ada\nS-2,,Grace\n');
    expect(csv.problems).toEqual([]);
    expect(csv.rows).toEqual([
      { line: 2, studentId: 'S-1', displayName: 'Ada' },
      { line: 3, studentId: 'S-2', displayName: 'Grace' },
    ]);
  });

  it('collects every problem, numbered like the server', () => {
    const csv = readSeatCsv('studentId,displayName\nS-1,Ada\n,Nobody\nS-3,\nS-1,Again\n');
    expect(csv.problems).toEqual([
      { line: 3, message: 'studentId must be 1 to 128 characters without control characters' },
      { line: 4, message: 'displayName must be 1 to 200 characters' },
      { line: 5, message: 'studentId S-1 already appears on line 2' },
    ]);
    expect(readSeatCsv('id,who\n1,2').problems[0]).toEqual({
      line: 1,
      message: 'the header must name the columns studentId and displayName, got "id", "who"',
    });
    expect(readSeatCsv('\n\n').problems[0]!.message).toMatch(/the CSV is empty/);
    expect(readSeatCsv('"x').problems[0]!.message).toMatch(/does not parse/);
  });
});

describe('planImport and applyImportAnswer', () => {
  const seats = [
    { studentId: 'S-1', displayName: 'Ada' },
    { studentId: 'S-2', displayName: 'Grace H.' },
  ];
  const csv = readSeatCsv('studentId,displayName\nS-1,Ada\nS-2,Grace Hopper\nS-3,Alan Turing\n');

  it('plans create / update / unchanged from the current seats', () => {
    const rows = planImport(csv, seats);
    expect(rows.map((r) => [r.line, r.planned, rowLabel(r)])).toEqual([
      [2, 'unchanged', 'Unchanged'],
      [3, 'update', 'Rename (was “Grace H.”)'],
      [4, 'create', 'New seat'],
    ]);
    expect(planCounts(rows)).toEqual({ created: 1, updated: 1, unchanged: 1, invalid: 0, total: 3 });
    const bad = planImport(readSeatCsv('studentId,displayName\nS-9,\n'), seats);
    expect(bad[0]).toMatchObject({ planned: 'invalid', message: 'displayName must be 1 to 200 characters' });
  });

  it('marks every row with the outcome of a successful import', () => {
    const report = applyImportAnswer(planImport(csv, seats), { ok: true, result: { created: 1, updated: 1, unchanged: 1, total: 3 } });
    expect(report.ok).toBe(true);
    expect(report.rows.map((r) => r.outcome)).toEqual(['unchanged', 'updated', 'created']);
    expect(report.rows.map(rowLabel)).toEqual(['Unchanged', 'Renamed', 'Created']);
    expect(report.summary).toBe('Imported 3 rows: 1 created, 1 renamed, 1 unchanged.');
    const drift = applyImportAnswer(planImport(csv, seats), { ok: true, result: { created: 2, updated: 0, unchanged: 1, total: 3 } });
    expect(drift.summary).toMatch(/changed since the preview/);
  });

  it('marks the refused line and every other row as not imported (all or nothing)', () => {
    const report = applyImportAnswer(planImport(csv, seats), { ok: false, message: 'line 3: displayName must be 1 to 200 characters' });
    expect(report.ok).toBe(false);
    expect(report.rows.map((r) => [r.line, r.outcome, r.message])).toEqual([
      [2, 'not-imported', null],
      [3, 'error', 'displayName must be 1 to 200 characters'],
      [4, 'not-imported', null],
    ]);
    expect(report.summary).toBe('Nothing was imported: line 3: displayName must be 1 to 200 characters');
    const whole = applyImportAnswer(planImport(csv, seats), { ok: false, message: 'the CSV is empty' });
    expect(whole.rows.every((r) => r.outcome === 'not-imported')).toBe(true);
  });
});

describe('kioskCsvFileName', () => {
  it('slugs the exam name', () => {
    expect(kioskCsvFileName('Algebra 1 — Résumé')).toBe('kiosk-urls-algebra-1-resume.csv');
    expect(kioskCsvFileName('!!!')).toBe('kiosk-urls.csv');
  });
});
