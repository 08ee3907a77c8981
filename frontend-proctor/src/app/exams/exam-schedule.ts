/** Exam windows for display. Pure; the locale and time zone are parameters so tests are deterministic. */

/** Where `now` is relative to an exam's window. */
export type ExamPhase = 'upcoming' | 'running' | 'over';

/** Display options: BCP 47 locale and IANA time zone; the browser's when omitted. */
export interface DateFormatOptions {
  locale?: string;
  timeZone?: string;
}

/** `upcoming` before `startsAtMs`, `running` until `endsAtMs` (exclusive), then `over`. */
export function examPhase(startsAtMs: number, endsAtMs: number, nowMs: number): ExamPhase {
  if (nowMs < startsAtMs) return 'upcoming';
  return nowMs < endsAtMs ? 'running' : 'over';
}

/** Label of an {@link ExamPhase}. */
export function examPhaseLabel(phase: ExamPhase): string {
  return { upcoming: 'Upcoming', running: 'Running', over: 'Over' }[phase];
}

/** "24 Nov 2026, 09:00"; "—" for null. */
export function formatDateTime(ms: number | null | undefined, opts: DateFormatOptions = {}): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  return new Intl.DateTimeFormat(opts.locale ?? 'en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: opts.timeZone,
  }).format(ms);
}

/**
 * An exam window: "24 Nov 2026, 09:00–12:00" on one day,
 * "24 Nov 2026, 22:00 – 25 Nov 2026, 01:00" across days.
 */
export function formatExamWindow(startsAtMs: number, endsAtMs: number, opts: DateFormatOptions = {}): string {
  const day = (ms: number) =>
    new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: opts.timeZone }).format(ms);
  const start = formatDateTime(startsAtMs, opts);
  if (day(startsAtMs) === day(endsAtMs)) {
    const time = new Intl.DateTimeFormat(opts.locale ?? 'en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone: opts.timeZone,
    }).format(endsAtMs);
    return `${start}–${time}`;
  }
  return `${start} – ${formatDateTime(endsAtMs, opts)}`;
}
