/**
 * A proctor's flag or note on the frame on screen of the live view (pure): what the page says
 * while it is saved, once it is, or why it was not. The hotkeys, the request body and the route
 * are the review page's (`review/proctor-flags.ts`, `review/event-track-api.ts`).
 */
import type { ProctorEventKind } from '@vigil/api';
import { formatClock } from '../review/wall-clock';

/** How long "Flag at … saved" stays, ms (a failure stays until the next flag or note). */
export const FLAG_SAVED_NOTICE_MS = 6000;

/** The state of the last flag or note asked for on the live view. */
export type FlagNotice =
  | { readonly state: 'saving' | 'saved'; readonly kind: ProctorEventKind; readonly atMs: number }
  /** `atMs` null: nothing was on screen to flag (no request made). */
  | { readonly state: 'failed'; readonly kind: ProctorEventKind; readonly atMs: number | null; readonly why: string };

/**
 * The sentence shown for a notice, the time as a local clock time to the second
 * (`clock` injectable for tests): "Saving flag at 10:42:13…", "Flag at 10:42:13 saved",
 * "The note at 10:42:13 was not saved: <why>", "The flag was not saved: <why>" (nothing on screen).
 */
export function flagNoticeText(notice: FlagNotice, clock: (ms: number) => string = (ms) => formatClock(ms, false)): string {
  const what = notice.kind === 'flag' ? 'flag' : 'note';
  if (notice.state === 'failed') {
    if (notice.atMs === null) return `The ${what} was not saved: ${notice.why}`;
    return `The ${what} at ${clock(notice.atMs)} was not saved: ${notice.why}`;
  }
  const at = clock(notice.atMs);
  if (notice.state === 'saving') return `Saving ${what} at ${at}…`;
  return `${what === 'flag' ? 'Flag' : 'Note'} at ${at} saved`;
}
