/**
 * An exam's recordings by seat, for the exam page's "Review" links (pure). A seat has one
 * recording per stream: a Sentinel that starts afresh (no backlog to resume) starts a new
 * stream, and so a new recording.
 */
import type { RecordingMeta } from '@vigil/api';

/** The exam's recordings by seat id, newest first. */
export function recordingsBySeat(recordings: readonly RecordingMeta[], examId: string): Map<string, RecordingMeta[]> {
  const bySeat = new Map<string, RecordingMeta[]>();
  for (const r of recordings) {
    if (r.examId !== examId) continue;
    bySeat.set(r.seatId, [...(bySeat.get(r.seatId) ?? []), r]);
  }
  for (const list of bySeat.values()) list.sort((a, b) => b.createdAtMs - a.createdAtMs);
  return bySeat;
}
