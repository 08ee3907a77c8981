/**
 * Notices a wall tile whose picture stopped, and says when to join its stream again (pure:
 * clock passed in). A tile's picture can stop while its stream goes on: the server skips a
 * viewer to its stream's next IDR when the portal's socket holds too much (a proctor's
 * browser that did not read for a few seconds: a busy or slow computer; all the tiles share
 * that one socket, so all of them skip at once), and with an IDR every 25 s the next one can
 * be that far away; a sequence gap, a decoder error or a keyframe request the Sentinel did not
 * answer also leave it waiting for the next IDR. Seen (issue 10, exam-wall bench, 100 tiles at
 * 1 fps, two busy processes taking most of this 2-core machine): the whole wall froze for
 * 10–20 s at a time, some tiles for over a minute (picture age p95 29 s, 72 % of the frames
 * painted); the page decoded and painted every frame that reached it, but the server had
 * skipped the tiles to IDRs that all came in the same second every 25 s (that bench's
 * Sentinels started together and did not answer keyframe requests). With Sentinels that
 * answer, as the browser Sentinel does, no tile stopped in that bench; this is for the rest.
 *
 * Subscribing again is the tile's way to ask for a fresh IDR (the server requests one from the
 * Sentinel when its buffered IDR is older than a few seconds; it comes within about one
 * frame), as a receiver sends a picture loss indication in RTP (RFC 4585 §6.3.1). It goes
 * through the wall's join queue, a few tiles at a time, so a whole wall that stopped together
 * does not ask for 100 IDRs at once.
 *
 * - Stalled: no frame painted for {@link stallAfterMs} (three frame intervals, at least
 *   {@link TILE_STALL_MIN_MS}); the tile shows that its picture is old.
 * - Join again when stalled and subscribed for at least as long (a tile waiting for its turn
 *   in the join queue is not subscribed yet: it keeps its place), then not again before a
 *   back-off that doubles while no frame comes ({@link TILE_RESYNC_BACKOFF_MS} up to
 *   {@link TILE_RESYNC_BACKOFF_MAX_MS}); a painted frame resets it.
 * - Only a frame captured after every frame painted so far counts: joining again replays the
 *   stream's buffered frames, which are not news when the stream itself stopped.
 */

/**
 * A tile is stalled after at least this long without a painted frame, ms: more than one frame
 * interval at the slowest rate (5 s at 0.2 fps), so a stream lowered to it (load shedding) is
 * not taken for a stalled one before its first slower frame.
 */
export const TILE_STALL_MIN_MS = 6000;
/** …and at least this many frame intervals. */
export const TILE_STALL_FRAMES = 3;
/** Frame interval assumed before the first frame, ms (the slowest rate, 0.2 fps). */
export const TILE_FIRST_FRAME_INTERVAL_MS = 5000;
/** First wait after joining again before the next try, ms (doubles per try without a frame). */
export const TILE_RESYNC_BACKOFF_MS = 5000;
/** Longest wait between tries, ms. */
export const TILE_RESYNC_BACKOFF_MAX_MS = 60_000;

/** What the tile should do now. */
export type TileWatch =
  /** Frames come. */
  | { readonly state: 'live' }
  /** No frame for `forMs`; `resync`: join the stream again now. */
  | { readonly state: 'stalled'; readonly forMs: number; readonly resync: boolean };

/**
 * How long a tile waits for its next frame before it counts as stalled, ms.
 * @param frameIntervalMs the stream's frame interval (1000 / fps), ms; null before the first frame
 */
export function stallAfterMs(frameIntervalMs: number | null): number {
  const interval = frameIntervalMs !== null && frameIntervalMs > 0 ? frameIntervalMs : TILE_FIRST_FRAME_INTERVAL_MS;
  return Math.max(TILE_STALL_MIN_MS, TILE_STALL_FRAMES * interval);
}

/** One tile's watchdog; see the module comment. Times are ms on one clock (e.g. `performance.now()`). */
export class TileWatchdog {
  private lastFrameAtMs: number;
  /** When the current subscription started, or null while none is under way (waiting in the join queue). */
  private subscribedAtMs: number | null = null;
  private frameIntervalMs: number | null = null;
  /** Capture time of the newest frame painted, Unix epoch ms. */
  private newestCaptureMs = Number.NEGATIVE_INFINITY;
  private lastResyncAtMs: number | null = null;
  private triesWithoutFrame = 0;

  /** @param startedAtMs when the tile started to watch its stream (the picture's age counts from then until a first frame) */
  constructor(startedAtMs: number) {
    this.lastFrameAtMs = startedAtMs;
  }

  /** The tile's subscription started (its turn in the join queue came): frames are awaited from now. */
  subscribed(nowMs: number): void {
    this.subscribedAtMs = nowMs;
  }

  /** Joins again since the last painted frame. */
  get tries(): number {
    return this.triesWithoutFrame;
  }

  /**
   * A frame was painted.
   * @param frameIntervalMs its duration (the stream's frame interval), ms, or null when unknown
   * @param capturedAtMs its capture time (`prft`), Unix epoch ms, or null without one (then it counts)
   * @returns whether it counted (a new frame: the picture moves)
   */
  painted(nowMs: number, frameIntervalMs: number | null, capturedAtMs: number | null): boolean {
    if (capturedAtMs !== null) {
      if (capturedAtMs <= this.newestCaptureMs) return false; // a buffered frame shown again
      this.newestCaptureMs = capturedAtMs;
    }
    this.lastFrameAtMs = nowMs;
    if (frameIntervalMs !== null && frameIntervalMs > 0) this.frameIntervalMs = frameIntervalMs;
    this.triesWithoutFrame = 0;
    this.lastResyncAtMs = null;
    return true;
  }

  /**
   * The tile's state at `nowMs`; when it says `resync`, the tile joins again (counted as a try;
   * call {@link subscribed} when that subscription starts).
   */
  check(nowMs: number): TileWatch {
    const forMs = nowMs - this.lastFrameAtMs;
    const stallMs = stallAfterMs(this.frameIntervalMs);
    if (forMs < stallMs) return { state: 'live' };
    const backoff = Math.min(TILE_RESYNC_BACKOFF_MAX_MS, TILE_RESYNC_BACKOFF_MS * 2 ** Math.max(0, this.triesWithoutFrame - 1));
    const resync =
      this.subscribedAtMs !== null && nowMs - this.subscribedAtMs >= stallMs && (this.lastResyncAtMs === null || nowMs - this.lastResyncAtMs >= backoff);
    if (resync) {
      this.lastResyncAtMs = nowMs;
      this.subscribedAtMs = null;
      this.triesWithoutFrame++;
    }
    return { state: 'stalled', forMs, resync };
  }
}
