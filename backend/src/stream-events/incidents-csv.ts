/**
 * The incidents export of an exam (pure): proctors' flags and notes and the server's alerts,
 * one CSV row each (RFC 4180, csv-stringify), oldest first.
 *
 * Columns: `time` (ISO 8601, UTC), `seat` (the seat's student id), `name` (display name),
 * `kind` (`flag`, `note`, or `alert:<kind>`), `who` (the proctor; for an alert the proctor who
 * acknowledged it, else empty), `text` (the flag's or note's text; for an alert its detail and
 * the acknowledgement note), `cleared` (alerts: when the condition ended), `streamId`, and
 * `review` (the portal's review page at that moment: `<base>/recordings/<streamId>?at=<ms>`,
 * for the exam's proctors and admins; a share link for someone without an account is made from
 * there, `POST /api/recordings/:streamId/share`, audited).
 *
 * Cells a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) get a
 * leading `'` (OWASP "CSV injection").
 */
import { stringify } from 'csv-stringify/sync';
import type { AlertView, StreamEventView } from '@vigil/api';

/** One incident before it becomes a row. */
export interface Incident {
  atMs: number;
  streamId: string;
  seatId: string;
  kind: string;
  who: string;
  text: string;
  clearedAtMs: number | null;
}

/** Columns of the export, in order. */
export const INCIDENT_COLUMNS = ['time', 'seat', 'name', 'kind', 'who', 'text', 'cleared', 'streamId', 'review'] as const;

/** A proctor's flag or note of a stream as an incident. */
export function incidentOfEvent(streamId: string, seatId: string, e: StreamEventView): Incident {
  const text = typeof e.detail['text'] === 'string' ? e.detail['text'] : '';
  return { atMs: e.atMs, streamId, seatId, kind: e.type, who: e.by ?? '', text, clearedAtMs: null };
}

/** An alert as an incident: raised at `raisedAtMs`, its detail and acknowledgement. */
export function incidentOfAlert(a: AlertView): Incident {
  const text = a.ack ? `${a.detail} — acknowledged: ${a.ack.note}` : a.detail;
  return { atMs: a.raisedAtMs, streamId: a.streamId, seatId: a.seatId, kind: `alert:${a.kind}`, who: a.ack?.by ?? '', text, clearedAtMs: a.clearedAtMs };
}

/** A cell safe from spreadsheet formula injection. */
export function safeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * The CSV text (header row first), incidents sorted by time.
 * @param seats seat id -> student id and display name (unknown seats: the seat id, no name)
 * @param baseUrl the portal's public base URL, no trailing slash
 */
export function incidentsCsv(incidents: readonly Incident[], seats: ReadonlyMap<string, { studentId: string; displayName: string }>, baseUrl: string): string {
  const rows = [...incidents]
    .sort((a, b) => a.atMs - b.atMs || a.streamId.localeCompare(b.streamId))
    .map((i) => {
      const seat = seats.get(i.seatId);
      return [
        new Date(i.atMs).toISOString(),
        safeCell(seat?.studentId ?? i.seatId),
        safeCell(seat?.displayName ?? ''),
        i.kind,
        safeCell(i.who),
        safeCell(i.text),
        i.clearedAtMs === null ? '' : new Date(i.clearedAtMs).toISOString(),
        i.streamId,
        `${baseUrl}/recordings/${encodeURIComponent(i.streamId)}?at=${Math.round(i.atMs)}`,
      ];
    });
  return stringify(rows, { header: true, columns: [...INCIDENT_COLUMNS] });
}
