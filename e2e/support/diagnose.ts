import type { Page } from '@playwright/test';

/**
 * Awaits `check`; when it fails, throws an error whose message carries the original one and
 * what `describe()` returned (as JSON), so the failure summary at the end of a run (often all a
 * CI log keeps) says what the page was doing. `describe` failing too is said in the message.
 */
export async function withStateOnFailure<T>(check: Promise<T>, describe: () => Promise<unknown>): Promise<T> {
  try {
    return await check;
  } catch (e) {
    const state = await describe().catch((err: unknown) => `(could not read the state: ${String(err)})`);
    throw new Error(`${e instanceof Error ? e.message : String(e)}\nstate at failure: ${JSON.stringify(state)}`, { cause: e });
  }
}

/**
 * The live view's state for a failure message: the `<video>` element (position, readyState,
 * seeking, buffered ranges, seconds) and the live player's snapshot (`window.__vigilPlayer`,
 * frontend-proctor player/mse-player.ts) with its last 5 seeks. Null fields when absent.
 */
export function liveViewState(page: Page): Promise<unknown> {
  return page.evaluate(() => {
    const v = document.querySelector('video');
    const ranges = (r: TimeRanges) => Array.from({ length: r.length }, (_, i) => [r.start(i), r.end(i)]);
    const p = (window as unknown as { __vigilPlayer?: Record<string, unknown> & { recentSeeks?: unknown[] } }).__vigilPlayer;
    return {
      atMs: Date.now(),
      video: v && { currentTime: v.currentTime, paused: v.paused, seeking: v.seeking, readyState: v.readyState, playbackRate: v.playbackRate, buffered: ranges(v.buffered), size: [v.videoWidth, v.videoHeight] },
      player: p && { ...p, recentSeeks: p.recentSeeks?.slice(-5) },
    };
  });
}
