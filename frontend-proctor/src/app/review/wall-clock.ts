/**
 * Wall-clock times of the review page (pure): formatting in the browser's local time and
 * parsing what a proctor types into "jump to". Times are ms since the Unix epoch.
 */

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Local clock time: "14:02:33.400" (`withMs`), "14:02:33", or "14:02" (`short`). */
export function formatClock(ms: number, withMs = true, short = false): string {
  const d = new Date(ms);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (short) return hm;
  const hms = `${hm}:${pad(d.getSeconds())}`;
  return withMs ? `${hms}.${pad(d.getMilliseconds(), 3)}` : hms;
}

/** Local date and time: "2026-11-24 14:02:33.400". */
export function formatDateTime(ms: number, withMs = true): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${formatClock(ms, withMs)}`;
}

const CLOCK = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,3}))?)?$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,3}))?)?$/;
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Reads a wall-clock moment typed by a proctor, ms since the Unix epoch, or null:
 * - `14:02`, `14:02:33`, `14:02:33.4`: local time on the day that puts it nearest to
 *   `referenceMs` (the recording's span: a recording past midnight still works);
 * - `2026-11-24 14:02:33` (or with `T`): local date and time;
 * - an ISO 8601 time with a zone (`2026-11-24T13:02:33Z`, `+01:00`);
 * - a number of ms since the Unix epoch (12 digits or more).
 */
export function parseWallClock(text: string, referenceMs: number): number | null {
  const t = text.trim();
  if (t === '') return null;
  if (/^\d{12,}$/.test(t)) return Number(t);
  if (ZONED.test(t)) {
    const ms = Date.parse(t);
    return Number.isFinite(ms) ? ms : null;
  }
  const full = LOCAL_DATE_TIME.exec(t);
  if (full) {
    const [, y, mo, d, h, mi, s, frac] = full;
    if (!validClock(+h!, +mi!, s === undefined ? 0 : +s)) return null;
    return new Date(+y!, +mo! - 1, +d!, +h!, +mi!, s === undefined ? 0 : +s, fracMs(frac)).getTime();
  }
  const clock = CLOCK.exec(t);
  if (!clock) return null;
  const [, h, mi, s, frac] = clock;
  if (!validClock(+h!, +mi!, s === undefined ? 0 : +s)) return null;
  const ref = new Date(referenceMs);
  let best: number | null = null;
  for (const dayShift of [-1, 0, 1]) {
    const candidate = new Date(ref.getFullYear(), ref.getMonth(), ref.getDate() + dayShift, +h!, +mi!, s === undefined ? 0 : +s, fracMs(frac)).getTime();
    if (best === null || Math.abs(candidate - referenceMs) < Math.abs(best - referenceMs)) best = candidate;
  }
  return best;
}

function validClock(h: number, mi: number, s: number): boolean {
  return h <= 23 && mi <= 59 && s <= 59;
}

/** ".4" -> 400 ms, ".45" -> 450, ".456" -> 456. */
function fracMs(frac: string | undefined): number {
  return frac === undefined ? 0 : Number(frac.padEnd(3, '0'));
}
