import type { Page } from '@playwright/test';

/** Options of {@link waitForFastEncoder}. */
export interface FastEncoderOptions {
  /** A frame counts as fast under this many ms, submit to output (default 400). */
  maxMs?: number;
  /** Consecutive fast frames needed (default 3). */
  frames?: number;
  /** Give up after this many ms (default 90 000). */
  timeoutMs?: number;
}

/**
 * Waits until the Sentinel page's encoder is fast: `frames` consecutive new frames each
 * encoded in under `maxMs` (`window.__vigilSentinel.encodeMsLast`). The OpenH264 wasm
 * encoder's time per frame depends on the content and on what else runs on the cores (0.3 s
 * to over 1 s per changing 1080p frame measured here). One fast frame proves nothing (a frame
 * with no change encodes fast whatever the load): call this while the screen changes.
 * @throws Error with the last encode times when the encoder is not fast within `timeoutMs`
 */
export async function waitForFastEncoder(sentinel: Page, options: FastEncoderOptions = {}): Promise<void> {
  const { maxMs = 400, frames = 3, timeoutMs = 90_000 } = options;
  const deadline = Date.now() + timeoutMs;
  const samples: number[] = [];
  let lastFrame = 0;
  let fastInARow = 0;
  while (fastInARow < frames) {
    if (Date.now() > deadline) {
      throw new Error(`the encoder did not get under ${maxMs} ms per frame within ${timeoutMs} ms; last encode times, ms: ${samples.slice(-10).join(', ')}`);
    }
    const s = await sentinel.evaluate(() => {
      const v = (window as unknown as { __vigilSentinel: { framesEncoded: number; encodeMsLast: number } }).__vigilSentinel;
      return { framesEncoded: v.framesEncoded, encodeMsLast: v.encodeMsLast };
    });
    if (s.framesEncoded > lastFrame) {
      lastFrame = s.framesEncoded;
      samples.push(s.encodeMsLast);
      fastInARow = s.encodeMsLast < maxMs ? fastInARow + 1 : 0;
    }
    await sentinel.waitForTimeout(100);
  }
}
