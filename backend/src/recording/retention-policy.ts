/** One recording as the retention policy sees it. */
export interface RecordingAge {
  streamId: string;
  examId: string;
  /** Last time anything was recorded (newest segment or init segment), ms since the Unix epoch. */
  lastActivityMs: number;
}

const DAY_MS = 24 * 3600_000;

/**
 * Which recordings have outlived their exam's retention (pure). A recording expires
 * `retentionDays` after its last activity; a stream that is still in the relay (live or
 * waiting for its Sentinel) never expires; a recording whose exam was deleted uses
 * `defaultDays`.
 *
 * @param retentionDaysByExam exam id -> retention, days (>= 1)
 * @param activeStreamIds streams the relay still holds
 * @param nowMs wall clock, ms since the Unix epoch
 * @param defaultDays retention for recordings of unknown exams, days (>= 1)
 * @returns the stream ids to delete, oldest first
 * @throws TypeError when a retention is not a whole number of days >= 1
 */
export function expiredRecordings(
  recordings: readonly RecordingAge[],
  retentionDaysByExam: ReadonlyMap<string, number>,
  activeStreamIds: ReadonlySet<string>,
  nowMs: number,
  defaultDays: number,
): string[] {
  const check = (days: number, what: string) => {
    if (!Number.isInteger(days) || days < 1) throw new TypeError(`${what} must be a whole number of days >= 1, got ${days}`);
  };
  check(defaultDays, 'defaultDays');
  return recordings
    .filter((r) => {
      if (activeStreamIds.has(r.streamId)) return false;
      const days = retentionDaysByExam.get(r.examId) ?? defaultDays;
      check(days, `retention of exam ${r.examId}`);
      return r.lastActivityMs + days * DAY_MS <= nowMs;
    })
    .sort((a, b) => a.lastActivityMs - b.lastActivityMs)
    .map((r) => r.streamId);
}
