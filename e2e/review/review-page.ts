import type { Page } from '@playwright/test';

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
  videoWidth: number;
  videoHeight: number;
  errors: { details: string; message: string; fatal: boolean }[];
}

/** The review player's snapshot, or null while there is no review player on the page. */
export function reviewSnapshot(page: Page): Promise<ReviewSnapshotLike | null> {
  return page.evaluate(() => (window as unknown as { __vigilReview?: ReviewSnapshotLike }).__vigilReview ?? null);
}

/** Awaits `check`; when it fails, prints the review snapshot first (what the player was doing). */
export async function explained<T>(page: Page, check: Promise<T>): Promise<T> {
  try {
    return await check;
  } catch (e) {
    console.log('REVIEW SNAPSHOT at failure', JSON.stringify(await reviewSnapshot(page).catch(() => null), null, 1));
    throw e;
  }
}
