/**
 * A recording as `GET /api/recordings` lists it (the server's `StreamMeta`; not in
 * `@vigil/api` yet). One per stream: a seat has several when its Sentinel started new streams.
 */
export interface RecordingMeta {
  streamId: string;
  examId: string;
  seatId: string;
  encoder: string;
  userAgent: string;
  /** ms since the Unix epoch. */
  createdAtMs: number;
}
