import { MAX_IMPORT_ROWS, checkSeatRecords, problemText } from './seat-csv';

describe('checkSeatRecords (the seat-list rules of server and portal)', () => {
  it('maps header aliases in any case, ignores other columns and numbers lines from the header', () => {
    const csv = checkSeatRecords([
      ['Student ID', 'email', 'Display Name'],
      ['s1', 'a@example.org', 'Ada'],
      ['s2', '', 'Grace'],
    ]);
    expect(csv.problems).toEqual([]);
    expect(csv.rows).toEqual([
      { line: 2, studentId: 's1', displayName: 'Ada' },
      { line: 3, studentId: 's2', displayName: 'Grace' },
    ]);
  });

  it('collects every problem with its line, keeping the invalid rows for a preview', () => {
    const csv = checkSeatRecords([['studentId', 'displayName'], ['S-1', 'Ada'], ['', 'Nobody'], ['S-3', ''], ['S-1', 'Again'], ['a\u0085b', 'C1 control']]);
    expect(csv.rows).toHaveLength(5);
    expect(csv.problems).toEqual([
      { line: 3, message: 'studentId must be 1 to 128 characters without control characters' },
      { line: 4, message: 'displayName must be 1 to 200 characters' },
      { line: 5, message: 'studentId S-1 already appears on line 2' },
      { line: 6, message: 'studentId must be 1 to 128 characters without control characters' },
    ]);
    expect(problemText(csv.problems[0]!)).toBe('line 3: studentId must be 1 to 128 characters without control characters');
  });

  it('refuses a file without the two columns, an empty file and too many rows, file-wide problems first', () => {
    expect(checkSeatRecords([['id', 'who'], ['1', '2']]).problems).toEqual([
      { line: 1, message: 'the header must name the columns studentId and displayName, got "id", "who"' },
    ]);
    expect(problemText(checkSeatRecords([]).problems[0]!)).toMatch(/^the CSV is empty/);
    const many = [['studentId', 'name'], ...Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => [`s${i}`, 'x'])];
    expect(checkSeatRecords(many).problems[0]).toEqual({ line: 0, message: `the CSV has ${MAX_IMPORT_ROWS + 1} rows; at most ${MAX_IMPORT_ROWS} per import` });
  });
});
