/**
 * CSV seat import, the portal's side. Pure. The server parses and applies the
 * file all or nothing and answers counts (`{ created, updated, unchanged, total }`)
 * or a 400 naming the first bad line (`line 7: studentId must …`). The portal
 * reads the same file first to show each row with what will happen to it,
 * then marks each row with the outcome once the server has answered.
 *
 * Lines are numbered like the server's: the header is line 1, empty lines are
 * skipped and not counted.
 */
import { parse } from 'csv-parse/browser/esm/sync';
import {
  SEAT_CSV_PARSE_OPTIONS,
  checkSeatRecords,
  type ImportResult,
  type Seat,
  type SeatCsv,
  type SeatCsvRow,
} from '@vigil/api';

/** What an import does with a row: decided from the current seats before sending. */
export type PlannedAction = 'create' | 'update' | 'unchanged' | 'invalid';

/** Outcome of one row after the server answered. */
export type RowOutcome = 'created' | 'updated' | 'unchanged' | 'error' | 'not-imported' | 'pending';

/** One row of the preview / result table. */
export interface ImportRow extends SeatCsvRow {
  readonly planned: PlannedAction;
  /** The current display name of an existing seat that will be renamed. */
  readonly previousName: string | null;
  readonly outcome: RowOutcome;
  /** Why the row is invalid or refused. */
  readonly message: string | null;
}

/**
 * Splits CSV text into records with csv-parse, the library and options the server uses,
 * so both read a file the same way: `,` or `;` between fields, `"` quoting with `""` for a
 * quote, CRLF, LF or CR line ends (mixed too), a leading BOM dropped, fields trimmed, empty
 * lines skipped, rows of any length.
 * @throws Error (csv-parse's `CsvError`) naming the line of the first syntax error
 */
export function parseCsvRecords(text: string): string[][] {
  return parse(text, { ...SEAT_CSV_PARSE_OPTIONS, delimiter: [...SEAT_CSV_PARSE_OPTIONS.delimiter], record_delimiter: [...SEAT_CSV_PARSE_OPTIONS.record_delimiter] }) as string[][];
}

/**
 * Reads a seat list the way the server does (the shared rules of `@vigil/api`) and collects
 * every problem instead of stopping at the first.
 */
export function readSeatCsv(text: string): SeatCsv {
  let records: string[][];
  try {
    records = parseCsvRecords(text);
  } catch (e) {
    return { rows: [], problems: [{ line: 0, message: `the CSV does not parse: ${(e as Error).message}` }] };
  }
  return checkSeatRecords(records);
}

/** Each row with what the import will do to it, given the exam's current seats. */
export function planImport(csv: SeatCsv, seats: readonly Pick<Seat, 'studentId' | 'displayName'>[]): ImportRow[] {
  const existing = new Map(seats.map((s) => [s.studentId, s.displayName]));
  const problemAt = new Map<number, string>();
  for (const p of csv.problems) if (!problemAt.has(p.line)) problemAt.set(p.line, p.message);
  return csv.rows.map((row) => {
    const problem = problemAt.get(row.line) ?? null;
    const previous = existing.get(row.studentId);
    const planned: PlannedAction = problem ? 'invalid' : previous === undefined ? 'create' : previous === row.displayName ? 'unchanged' : 'update';
    return { ...row, planned, previousName: planned === 'update' ? previous! : null, outcome: 'pending', message: problem };
  });
}

/** Counts of a plan, in the shape of the server's answer. */
export function planCounts(rows: readonly ImportRow[]): ImportResult & { invalid: number } {
  const n = (a: PlannedAction) => rows.filter((r) => r.planned === a).length;
  return { created: n('create'), updated: n('update'), unchanged: n('unchanged'), invalid: n('invalid'), total: rows.length };
}

/** The server's answer to an import: counts, or the message of a 400. */
export type ImportAnswer = { readonly ok: true; readonly result: ImportResult } | { readonly ok: false; readonly message: string };

/** Rows with their outcome, and a summary sentence. */
export interface ImportReport {
  readonly rows: ImportRow[];
  readonly summary: string;
  readonly ok: boolean;
}

/**
 * Marks each row with the server's answer. Success: each row as planned, and
 * the summary says so if the server's counts differ from the plan (seats
 * changed in between). Refusal (all or nothing): the row named by `line N:`
 * is the error, every other row "not imported".
 */
export function applyImportAnswer(rows: readonly ImportRow[], answer: ImportAnswer): ImportReport {
  if (answer.ok) {
    const r = answer.result;
    const done: Record<PlannedAction, RowOutcome> = { create: 'created', update: 'updated', unchanged: 'unchanged', invalid: 'error' };
    const plan = planCounts(rows);
    const matches = plan.created === r.created && plan.updated === r.updated && plan.unchanged === r.unchanged;
    const summary =
      `Imported ${r.total} ${r.total === 1 ? 'row' : 'rows'}: ${r.created} created, ${r.updated} renamed, ${r.unchanged} unchanged.` +
      (matches ? '' : ' (The seats changed since the preview; the counts are the server’s.)');
    return { rows: rows.map((row) => ({ ...row, outcome: done[row.planned] })), summary, ok: true };
  }
  const m = /^line (\d+): (.*)$/s.exec(answer.message);
  const line = m ? Number(m[1]) : null;
  const detail = m ? m[2]! : answer.message;
  return {
    rows: rows.map((row) =>
      row.line === line ? { ...row, outcome: 'error', message: detail } : { ...row, outcome: 'not-imported' },
    ),
    summary: `Nothing was imported: ${answer.message}`,
    ok: false,
  };
}

/** Label of a row's outcome (or of its plan while pending). */
export function rowLabel(row: ImportRow): string {
  if (row.outcome === 'pending') {
    return { create: 'New seat', update: `Rename (was “${row.previousName}”)`, unchanged: 'Unchanged', invalid: 'Invalid' }[row.planned];
  }
  return { created: 'Created', updated: 'Renamed', unchanged: 'Unchanged', error: 'Refused', 'not-imported': 'Not imported', pending: '' }[
    row.outcome
  ];
}

/** File name for an exam's kiosk URL export: "kiosk-urls-algebra-1.csv". */
export function kioskCsvFileName(examName: string): string {
  const slug = examName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `kiosk-urls${slug ? `-${slug}` : ''}.csv`;
}
