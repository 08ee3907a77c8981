import { BadRequestException } from '@nestjs/common';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { STUDENT_ID_PATTERN } from './seats.dto';

/** Most rows one import takes. */
export const MAX_IMPORT_ROWS = 5000;

/** One row of a seat import. */
export interface SeatCsvRow {
  line: number;
  studentId: string;
  displayName: string;
}

const HEADER_ALIASES: Record<string, 'studentId' | 'displayName'> = {
  studentid: 'studentId',
  student_id: 'studentId',
  'student id': 'studentId',
  displayname: 'displayName',
  display_name: 'displayName',
  'display name': 'displayName',
  name: 'displayName',
};

/** csv-parse options: `,` or `;` fields, CRLF, LF or CR records (mixed too), BOM dropped, fields trimmed. */
const CSV_OPTIONS = {
  bom: true,
  delimiter: [',', ';'],
  record_delimiter: ['\r\n', '\n', '\r'],
  skip_empty_lines: true,
  trim: true,
  relax_column_count: true,
  max_record_size: 4096,
};

/**
 * Parses a seat list (csv-parse): a header row naming `studentId` and `displayName`
 * (aliases: `student_id`, `student id`, `display_name`, `display name`, `name`; other
 * columns are ignored), `,` or `;` separated, any line ends, UTF-8 with or without BOM.
 * @throws BadRequestException naming the line and field of the first problem
 */
export function parseSeatCsv(text: string): SeatCsvRow[] {
  let records: string[][];
  try {
    // the portal previews a file with the same options (frontend-proctor/src/app/admin/seat-import.ts)
    records = parse(text, CSV_OPTIONS);
  } catch (e) {
    throw new BadRequestException(`the CSV does not parse: ${(e as Error).message}`);
  }
  if (records.length === 0) throw new BadRequestException('the CSV is empty: send a header row (studentId,displayName) and one row per seat');
  const header = records[0].map((h) => HEADER_ALIASES[h.toLowerCase()] ?? null);
  const studentCol = header.indexOf('studentId');
  const nameCol = header.indexOf('displayName');
  if (studentCol < 0 || nameCol < 0) {
    throw new BadRequestException(`line 1: the header must name the columns studentId and displayName, got ${JSON.stringify(records[0].slice(0, 5)).slice(0, 80)}`);
  }
  if (records.length - 1 > MAX_IMPORT_ROWS) throw new BadRequestException(`the CSV has ${records.length - 1} rows; at most ${MAX_IMPORT_ROWS} per import`);
  const rows: SeatCsvRow[] = [];
  const firstLine = new Map<string, number>();
  records.slice(1).forEach((record, i) => {
    const line = i + 2;
    const studentId = record[studentCol] ?? '';
    const displayName = record[nameCol] ?? '';
    if (studentId.length === 0 || studentId.length > 128 || !STUDENT_ID_PATTERN.test(studentId)) {
      throw new BadRequestException(`line ${line}: studentId must be 1 to 128 characters without control characters`);
    }
    if (displayName.length === 0 || displayName.length > 200) throw new BadRequestException(`line ${line}: displayName must be 1 to 200 characters`);
    const seen = firstLine.get(studentId);
    if (seen !== undefined) throw new BadRequestException(`line ${line}: studentId ${studentId.slice(0, 40)} already appears on line ${seen}`);
    firstLine.set(studentId, line);
    rows.push({ line, studentId, displayName });
  });
  return rows;
}

/**
 * A CSV file of kiosk URLs. Cells starting with `=`, `+`, `-`, `@` get a leading `'`
 * so spreadsheet programs do not run them as formulas.
 */
export function kioskUrlsCsv(rows: { studentId: string; displayName: string; seatId: string; kioskUrl: string }[]): string {
  const cell = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
  return stringify(
    rows.map((r) => [cell(r.studentId), cell(r.displayName), r.seatId, r.kioskUrl]),
    { header: true, columns: ['studentId', 'displayName', 'seatId', 'kioskUrl'] },
  );
}
