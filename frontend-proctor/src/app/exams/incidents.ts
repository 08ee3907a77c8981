/**
 * The incidents export of an exam (docs/control-api.md "Alerts"): every proctor flag and note on
 * its recordings and every alert, one CSV row each, with a link to the moment
 * (`/recordings/<streamId>?at=<ms>`, the review page). The server sends it as a download
 * (`Content-Disposition: attachment`), so a plain link does; 404 for an exam not the caller's.
 */

/** `GET /api/exams/:examId/incidents.csv`. */
export function incidentsCsvUrl(examId: string): string {
  return `/api/exams/${encodeURIComponent(examId)}/incidents.csv`;
}
