/**
 * Live status of an exam's seats for the exam page. Pure: merges the seat
 * list (`GET /api/exams/:examId/seats`, polled) with the relay's stream list
 * (`streams` messages on the proctor WebSocket, pushed on every change), so a
 * seat turns "streaming" or "offline" as soon as the socket says so.
 */
import type { StreamSummary } from '@vigil/protocol';
import type { Seat, SeatStatus } from '@vigil/api';
import { formatAge } from '../core/format';

/** A seat with its live status and, when the relay holds one, its current stream. */
export interface SeatRow {
  readonly seat: Seat;
  readonly status: SeatStatus;
  /** Unix epoch ms of the last fragment or connection; null if it never connected. */
  readonly lastSeenAtMs: number | null;
  /** The stream to open for this seat (live or disconnected), or null. */
  readonly streamId: string | null;
  /** The stream's summary from the socket's list, when there is one. */
  readonly stream: StreamSummary | null;
}

/**
 * Merges seats with the stream list.
 *
 * - When `streamsKnown` (a `streams` list has arrived), that list decides:
 *   a `live` stream of the seat → streaming; a `disconnected` one → offline;
 *   none → offline if the seat was ever seen, else never connected.
 * - Before that, the seat's own `status` and `liveStreamId` (from the server) stand.
 * - `lastSeenAtMs` is the newest of the seat's and its stream's last fragment.
 */
export function mergeSeatStatus(seats: readonly Seat[], streams: readonly StreamSummary[], streamsKnown: boolean): SeatRow[] {
  const bySeat = new Map<string, StreamSummary[]>();
  for (const s of streams) {
    if (s.state === 'ended') continue;
    const key = `${s.examId}\u0000${s.seatId}`;
    bySeat.set(key, [...(bySeat.get(key) ?? []), s]);
  }
  return seats.map((seat) => {
    const candidates = bySeat.get(`${seat.examId}\u0000${seat.id}`) ?? [];
    // The live one first, then the most recently started.
    const stream =
      [...candidates].sort((a, b) => Number(b.state === 'live') - Number(a.state === 'live') || b.startedAtMs - a.startedAtMs)[0] ??
      null;
    const streamSeen = stream ? (stream.lastFragmentAtMs ?? stream.startedAtMs) : null;
    const lastSeenAtMs = maxOrNull(seat.lastSeenAtMs, streamSeen);
    if (!streamsKnown) {
      return { seat, status: seat.status, lastSeenAtMs, streamId: seat.liveStreamId ?? stream?.streamId ?? null, stream };
    }
    const status: SeatStatus = stream?.state === 'live' ? 'streaming' : lastSeenAtMs !== null || stream ? 'offline' : 'never-connected';
    return { seat, status, lastSeenAtMs, streamId: stream?.streamId ?? null, stream };
  });
}

/** How many seats are in each status. */
export function countByStatus(rows: readonly SeatRow[]): Record<SeatStatus, number> {
  const counts: Record<SeatStatus, number> = { streaming: 0, offline: 0, 'never-connected': 0 };
  for (const r of rows) counts[r.status]++;
  return counts;
}

/** "Streaming", "Offline", "Never connected". */
export function seatStatusLabel(status: SeatStatus): string {
  return { streaming: 'Streaming', offline: 'Offline', 'never-connected': 'Never connected' }[status];
}

/** Seats whose student id or name contains `query` (case-insensitive); all for an empty query. */
export function filterSeats(rows: readonly SeatRow[], query: string): SeatRow[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...rows];
  return rows.filter((r) => r.seat.studentId.toLowerCase().includes(q) || r.seat.displayName.toLowerCase().includes(q));
}

/** What opening a seat does: watch its stream, or say why there is nothing to watch. */
export type SeatOpenAction = { readonly kind: 'watch'; readonly streamId: string } | { readonly kind: 'offline'; readonly message: string };

/**
 * Opening a seat: a seat with a stream in the relay (live, or disconnected
 * and waiting for its Sentinel) opens the live view of that stream; a seat
 * without one gets a message naming the student and when it was last seen.
 */
export function seatOpenAction(row: SeatRow, nowMs: number): SeatOpenAction {
  if (row.streamId) return { kind: 'watch', streamId: row.streamId };
  const who = `${row.seat.displayName} (${row.seat.studentId})`;
  if (row.lastSeenAtMs === null) return { kind: 'offline', message: `${who} has never connected: there is nothing to watch yet.` };
  return { kind: 'offline', message: `${who} is offline: last seen ${formatAge(row.lastSeenAtMs, nowMs)}.` };
}

function maxOrNull(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}
