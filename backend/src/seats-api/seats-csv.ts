import { BadRequestException } from '@nestjs/common';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { SEAT_CSV_PARSE_OPTIONS, checkSeatRecords, problemText, type SeatCsvRow } from '@vigil/api';

/**
 * Parses a seat list (csv-parse) by the shared rules of `@vigil/api` (libs/api/src/seat-csv.ts),
 * the same the portal previews a file with: a header row naming `studentId` and `displayName`
 * (aliases: `student_id`, `student id`, `display_name`, `display name`, `name`; other
 * columns are ignored), `,` or `;` separated, any line ends, UTF-8 with or without BOM.
 * @throws BadRequestException naming the line and field of the first problem
 */
export function parseSeatCsv(text: string): SeatCsvRow[] {
  let records: string[][];
  try {
    records = parse(text, { ...SEAT_CSV_PARSE_OPTIONS, delimiter: [...SEAT_CSV_PARSE_OPTIONS.delimiter], record_delimiter: [...SEAT_CSV_PARSE_OPTIONS.record_delimiter] });
  } catch (e) {
    throw new BadRequestException(`the CSV does not parse: ${(e as Error).message}`);
  }
  const { rows, problems } = checkSeatRecords(records);
  if (problems.length > 0) throw new BadRequestException(problemText(problems[0]!));
  return [...rows];
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
