/**
 * The seat-list CSV rules (pure), shared by the server, which imports a file all or nothing,
 * and the portal, which previews the same file row by row before sending it. Both split the
 * text with csv-parse and {@link SEAT_CSV_PARSE_OPTIONS} (the server's `csv-parse/sync`, the
 * browser's `csv-parse/browser/esm/sync`), then check the records with {@link checkSeatRecords}.
 *
 * Lines are numbered as csv-parse counts records: the header is line 1; empty lines are
 * skipped and not counted.
 */

/** Most data rows one import takes. */
export const MAX_IMPORT_ROWS = 5000;
/** Largest file one import takes, bytes. */
export const MAX_IMPORT_BYTES = 1024 * 1024;

/**
 * csv-parse options: `,` or `;` between fields, `"` quoting with `""` for a quote, CRLF, LF
 * or CR record ends (mixed too), a leading BOM dropped, fields trimmed, empty lines skipped,
 * rows of any length, at most 4096 characters per record.
 */
export const SEAT_CSV_PARSE_OPTIONS = {
  bom: true,
  delimiter: [',', ';'],
  record_delimiter: ['\r\n', '\n', '\r'],
  skip_empty_lines: true,
  trim: true,
  relax_column_count: true,
  max_record_size: 4096,
} as const;

/** Header names (lower case) and the column each names; other columns are ignored. */
export const SEAT_CSV_HEADER_ALIASES: Readonly<Record<string, 'studentId' | 'displayName'>> = {
  studentid: 'studentId',
  student_id: 'studentId',
  'student id': 'studentId',
  displayname: 'displayName',
  display_name: 'displayName',
  'display name': 'displayName',
  name: 'displayName',
};

/** A student id: 1 to 128 characters, no control characters (Unicode category Cc). */
export const STUDENT_ID_PATTERN = /^[^\p{Cc}]{1,128}$/u;
/** Longest display name, characters. */
export const MAX_DISPLAY_NAME_LENGTH = 200;

/** One data row of a seat list. */
export interface SeatCsvRow {
  /** Record number (header = 1). */
  readonly line: number;
  readonly studentId: string;
  readonly displayName: string;
}

/** A problem that makes the server refuse the file; line 0 = the file as a whole. */
export interface SeatCsvProblem {
  readonly line: number;
  readonly message: string;
}

/** A seat list checked: every data row, and every problem in line order (file-wide ones first). */
export interface SeatCsv {
  readonly rows: readonly SeatCsvRow[];
  readonly problems: readonly SeatCsvProblem[];
}

/**
 * Checks parsed CSV records against the seat-list rules, collecting every problem (the
 * portal shows them all; the server refuses with the first, {@link problemText}).
 * @param records csv-parse's output with {@link SEAT_CSV_PARSE_OPTIONS}: the header record first
 * @returns the data rows (also the invalid ones, for a preview) and the problems
 */
export function checkSeatRecords(records: readonly (readonly string[])[]): SeatCsv {
  if (records.length === 0) {
    return { rows: [], problems: [{ line: 0, message: 'the CSV is empty: it needs a header row (studentId,displayName) and one row per seat' }] };
  }
  const header = records[0]!.map((h) => SEAT_CSV_HEADER_ALIASES[h.toLowerCase()] ?? null);
  const studentCol = header.indexOf('studentId');
  const nameCol = header.indexOf('displayName');
  if (studentCol < 0 || nameCol < 0) {
    const got = records[0]!.slice(0, 5).map((h) => JSON.stringify(h)).join(', ').slice(0, 80);
    return { rows: [], problems: [{ line: 1, message: `the header must name the columns studentId and displayName, got ${got}` }] };
  }
  const problems: SeatCsvProblem[] = [];
  if (records.length - 1 > MAX_IMPORT_ROWS) {
    problems.push({ line: 0, message: `the CSV has ${records.length - 1} rows; at most ${MAX_IMPORT_ROWS} per import` });
  }
  const rows: SeatCsvRow[] = [];
  const firstLine = new Map<string, number>();
  records.slice(1).forEach((record, i) => {
    const line = i + 2;
    const studentId = record[studentCol] ?? '';
    const displayName = record[nameCol] ?? '';
    rows.push({ line, studentId, displayName });
    if (!STUDENT_ID_PATTERN.test(studentId)) {
      problems.push({ line, message: 'studentId must be 1 to 128 characters without control characters' });
    } else if (displayName.length === 0 || displayName.length > MAX_DISPLAY_NAME_LENGTH) {
      problems.push({ line, message: `displayName must be 1 to ${MAX_DISPLAY_NAME_LENGTH} characters` });
    } else {
      const seen = firstLine.get(studentId);
      if (seen !== undefined) problems.push({ line, message: `studentId ${studentId.slice(0, 40)} already appears on line ${seen}` });
      else firstLine.set(studentId, line);
    }
  });
  return { rows, problems };
}

/**
 * The server's text for a problem: `line N: …`, or the bare message for the file as a whole
 * (line 0). The portal reads the line back from a refusal in this form.
 */
export function problemText(problem: SeatCsvProblem): string {
  return problem.line === 0 ? problem.message : `line ${problem.line}: ${problem.message}`;
}
