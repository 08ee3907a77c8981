import type { Page } from '@playwright/test';
import { withStateOnFailure } from '../support/diagnose';

/** The part of the portal's `window.__vigilReview` snapshot (frontend-proctor review/review-player.ts) the tests read. */
export interface ReviewSnapshotLike {
  state: string;
  live: boolean;
  paused: boolean;
  seeking: boolean;
  seekPending: boolean;
  rate: number;
  currentTime: number;
  wallClockMs: number | null;
  frameSequence: number | null;
  span: { fromMs: number; toMs: number } | null;
  segments: number;
  gaps: number;
  buffered: [number, number][];
  reads: number;
  bytesRead: number;
  polls: number;
  lastHole: { hole: { fromMs: number; toMs: number; reason: string }; atMs: number } | null;
  stuckSeeks: number;
  videoWidth: number;
  videoHeight: number;
  errors: { details: string; message: string; fatal: boolean }[];
}

/** The review player's snapshot, or null while there is no review player on the page. */
export function reviewSnapshot(page: Page): Promise<ReviewSnapshotLike | null> {
  return page.evaluate(() => (window as unknown as { __vigilReview?: ReviewSnapshotLike }).__vigilReview ?? null);
}

/** Awaits `check`; when it fails, its error message also carries the review snapshot (what the player was doing). */
export function explained<T>(page: Page, check: Promise<T>): Promise<T> {
  return withStateOnFailure(check, () => reviewSnapshot(page));
}
