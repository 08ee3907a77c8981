/**
 * Live-edge policy: pure functions of the buffered ranges, the playback
 * position, the frame on screen and the frame duration. No DOM; the player
 * calls them on a timer, on media events and after every append, and carries
 * out the decision.
 *
 * All times are media time in seconds (fragment `tfdt` / 90000).
 *
 * What "live edge" means here. Vigil sends one frame per fragment, at
 * 0.2–5 fps. The end of the buffered range is the *end* of the newest frame
 * (its decode time + its duration), and the next frame starts exactly there.
 * The newest frame is on screen while the position is in
 * `[bufferedEnd - frameDuration, bufferedEnd)`; at `bufferedEnd` the element
 * waits (readyState HAVE_CURRENT_DATA, WHATWG HTML "ready states") with the
 * newest frame still on screen. The goal (issue 10): every frame on screen as
 * soon as it is appended; nothing is held back as a cushion.
 *
 * High frame rates (frames shorter than `stepMinFrameDuration`): wait at the
 * edge. The element plays at `catchUpRate` (> 1), so after each append the
 * position runs through the newest frame into the end of the buffer and
 * waits there; the next frame starts there and is shown once appended and
 * decoded, however irregularly frames arrive (an early one is reached at
 * `catchUpRate`, a late one is waited for, a burst after a network hiccup is
 * played through at `catchUpRate`). After a seek, though (a step, the join,
 * the switch from a low frame rate, where the element sits stalled after
 * its last step), Chromium often reports `playing` and then `waiting` within
 * a few ms and stays stalled with frames buffered ahead: its clock does not
 * restart on later appends, only with the next seek (about 1 seek in 10 gets
 * it playing again). So a stalled element whose newest frame is not on
 * screen `stallTimeoutMs` after its append is stepped to it, frame by frame,
 * until a seek gets it playing; seeks land `seekLead` before the newest frame
 * (data ahead of the position).
 *
 * Low frame rates: step. Each new frame that is not on screen yet is seeked
 * to at once (a seek decodes from the preceding IDR: at most 25 frames at
 * 1 fps, 5 at 0.2 fps), again `showTimeoutMs` later if it is still not shown.
 *
 * Measured in Chromium 156 (a standalone page appending 1080p fragments on a
 * timer with up to 60 ms of jitter, through this player, and
 * e2e/bench/glass-to-glass.bench.ts). The live MediaSource has duration
 * +Infinity (our init segments carry none), which Chromium renders with low
 * delay. Append → on screen, p50 / p95:
 * - 5 fps: holding one frame plus a jitter cushion behind the end (the
 *   previous policy) 147 / 330 ms; waiting at the edge at 1.25× 2 / 5–45 ms
 *   (a rate of 1 makes every late frame cost its lateness again; 1.5× and
 *   more left frames unshown, and 2× left `currentTime` stuck seconds behind
 *   the frames shown);
 * - 1 and 0.2 fps: waiting at the edge works for most frames (2–5 ms), but the
 *   clock sometimes stops inside the newest frame, or runs up to half a frame
 *   past the end of the buffer, and then the next frame is not shown until
 *   the clock reaches it or the frame after it arrives (5 s late at 0.2 fps):
 *   p95 110–160 ms even with a 100 ms presentation watchdog stepping such
 *   frames, and more after a step (after a seek to its start, the clock often
 *   stops shortly behind it). Stepping to every new frame: 2.5 / 14–22 ms.
 * - 5 fps just after a switch from 1 fps (glass-to-glass, capture → screen):
 *   stepping only once the picture was `stepMinFrameDuration` behind showed
 *   every third frame, 110–330 ms after its append, for 1.3–20 s (p95 over
 *   the 20 s after the switch 114–295 ms); stepping a stalled element
 *   `stallTimeoutMs` after the append, it plays again within about 1 s
 *   (p95 69–81 ms).
 * While it waits, Chromium's `currentTime` may read up to a frame behind the
 * frame it shows, so with presentation feedback
 * (`requestVideoFrameCallback`: `shownFrameStart`) the policy judges by the
 * picture on screen, not by the position.
 *
 * Seeks:
 * - `start`/`live`: after the join burst, to the newest frame;
 * - `gap`: the position lies before the newest buffered range (a Sentinel
 *   reconnect, a skipped GOP) and would stall there forever;
 * - `frame`: low frame rates, the newest frame is not on screen (without
 *   presentation feedback: the element is before it, by more than
 *   `frameStepTolerance` when playing); high frame rates, the picture on
 *   screen is `stepMinFrameDuration` or more behind the newest frame, or
 *   nothing is on screen yet, `showTimeoutMs` after its append (the rate
 *   catches up anything less), or the element is stalled without the newest
 *   frame on screen `stallTimeoutMs` after its append;
 * - `drift`: without presentation feedback, the position is more than
 *   `maxDrift` behind the newest frame;
 * - `resume`: the tab came back or "Go live" was pressed;
 * - `stuck` (the watchdog, with presentation feedback): a frame appended
 *   `stuckTimeoutMs` ago or more is still not on screen and no seek started
 *   or ended in that time, also while a seek is still running (one that
 *   never completes leaves every other rule waiting for it). Each stuck seek
 *   in a row doubles the wait (up to 8×), so a seek that is merely slow on a
 *   loaded machine is not restarted over and over; a presented frame resets it.
 *   The rules above cover every stall seen so far; this one bounds the ones
 *   not seen, so the picture never freezes for good while frames arrive.
 * At high frame rates `live`, `frame`, `gap`, `drift` and `resume` seeks land
 * `seekLead` before the newest frame, inside the frame before it.
 * A `frame` seek waits `showTimeoutMs` after the last seek, so a frame gets
 * the time to show before it is stepped to again; after `maxUnshownSteps`
 * steps with no frame presented (a video the browser does not render, e.g.
 * scrolled out of view) the position decides again, as without feedback.
 */

/** A buffered range, seconds. */
export interface BufferedRange {
  readonly start: number;
  readonly end: number;
}

/** Tuning of the live-edge policy. */
export interface LiveEdgeConfig {
  /**
   * playbackRate while live (> 1): at high frame rates the position reaches the end of the
   * buffer before the next frame is due and waits there, so a frame up to
   * `frameDuration × (1 − 1 / catchUpRate)` early is still shown on arrival; a backlog is
   * played through this much faster. Default 1.25.
   */
  readonly catchUpRate: number;
  /**
   * Frames at least this long (seconds: low frame rates) are stepped to; shorter ones are
   * caught up by `catchUpRate` (a seek decodes up to a GOP: 125 frames at 5 fps). Default 0.5.
   */
  readonly stepMinFrameDuration: number;
  /** Without presentation feedback: lag behind the newest frame that triggers a seek to it, seconds. Default 3. */
  readonly maxDrift: number;
  /** Slack when deciding whether a position lies inside a range (frame-time rounding), seconds. Default 0.1. */
  readonly rangeSlack: number;
  /** Without presentation feedback, low frame rates: step to the newest frame when the playing position is this far before its start (a stalled one: any distance), seconds. Default 0.1. */
  readonly frameStepTolerance: number;
  /**
   * High frame rates: seeks land this far before the start of the newest frame, inside the
   * frame before it when that is buffered, seconds (> 1 ms, well under a frame), so the element
   * has media ahead of its position when the seek completes and plays on into the newest frame.
   * Measured after a switch from 1 to 5 fps: 1 seek in 7–20 got a stalled element playing again
   * with a lead (0.02–0.1 s), 1 in 20 landing on the newest frame. 0: land on the newest frame.
   * Default 0.02.
   */
  readonly seekLead: number;
  /**
   * High frame rates: a stalled element (`readyState` <= HAVE_CURRENT_DATA) that has not
   * presented the newest frame this long after its append is stepped to it, ms. Waiting at the
   * end of the buffer, a frame is presented 2–45 ms after its append; after a seek Chromium
   * often stays stalled with frames buffered ahead until the next seek. Default 50.
   */
  readonly stallTimeoutMs: number;
  /** Time a frame gets to be presented after its append or a seek before it is stepped to (again), ms. Default 100. */
  readonly showTimeoutMs: number;
  /** `frame` seeks in a row with no frame presented after which presentation feedback is not trusted. Default 2. */
  readonly maxUnshownSteps: number;
  /**
   * Watchdog: a frame not on screen this long after its arrival, with no seek started or ended
   * meanwhile, gets a `stuck` seek to the newest frame, ms (doubled per stuck seek in a row, up
   * to 8×). Frames are presented 2–150 ms after their append and a seek decodes at most a GOP,
   * so this is far outside normal play. Default 2000.
   */
  readonly stuckTimeoutMs: number;
}

/** Defaults of {@link LiveEdgeConfig}. */
export const DEFAULT_LIVE_EDGE_CONFIG: LiveEdgeConfig = {
  catchUpRate: 1.25,
  stepMinFrameDuration: 0.5,
  maxDrift: 3,
  rangeSlack: 0.1,
  frameStepTolerance: 0.1,
  seekLead: 0.02,
  stallTimeoutMs: 50,
  showTimeoutMs: 100,
  maxUnshownSteps: 2,
  stuckTimeoutMs: 2000,
};

/** Seeks land this far into a frame (seconds), so rounding of 90 kHz times to the UA's clock cannot land in the previous frame. */
const FRAME_STEP_EPSILON = 0.001;

/**
 * Where playback stands.
 * - `start`: nothing played yet; after the first append seek to `buffered.start(0)`
 *   (MEASURED.md: without it, a stream starting at a join fragment may stall in Chromium).
 * - `joined`: that seek is done; next, jump to the live edge.
 * - `live`: following the live edge.
 */
export type LivePhase = 'start' | 'joined' | 'live';

/** Input of {@link decideLiveEdge}. */
export interface LiveEdgeInput {
  readonly phase: LivePhase;
  /** `video.buffered` as ranges, ascending, seconds. */
  readonly ranges: readonly BufferedRange[];
  /** `video.currentTime`, seconds. */
  readonly currentTime: number;
  /** `video.playbackRate`. */
  readonly playbackRate: number;
  /** The user paused the view: hold still, change nothing. */
  readonly userPaused: boolean;
  /** A seek is still running (`video.seeking`): wait for it. */
  readonly seeking: boolean;
  /** The element waits for data: `readyState` <= HAVE_CURRENT_DATA while not paused (its `currentTime` may lag what it shows). */
  readonly stalled: boolean;
  /** Duration of the newest fragment, seconds (1 / fps), or null before the first fragment. */
  readonly frameDuration: number | null;
  /** Decode time of the newest appended fragment, seconds (tfdt / 90000), or null. */
  readonly newestFrameStart: number | null;
  /** Segments are still waiting to be appended (the join burst): hold the jump to the live edge. */
  readonly appendPending: boolean;
  /** Jump to the live edge now (tab came back from the background, "Go live" button). */
  readonly forceLive: boolean;
  /** Presentation feedback is available (`requestVideoFrameCallback`); absent: false (then the position decides). */
  readonly feedback?: boolean;
  /**
   * Decode time of the frame last presented (`requestVideoFrameCallback` `mediaTime` → its
   * fragment), seconds; null or absent when none was presented since the player (re)started.
   */
  readonly shownFrameStart?: number | null;
  /** Time since the newest fragment was appended, ms; null or absent when unknown. */
  readonly newestAppendedAgoMs?: number | null;
  /** Time since the player's last seek started or ended, ms; null or absent when it never seeked. */
  readonly lastSeekAgoMs?: number | null;
  /** `frame` seeks since a frame was last presented; absent: 0. */
  readonly unshownSteps?: number;
  /**
   * Time since the oldest appended frame that is not on screen yet (the one after the frame on
   * screen) arrived, ms; null or absent when the newest frame is on screen.
   */
  readonly waitingFrameAgoMs?: number | null;
  /** `stuck` seeks since a frame was last presented; absent: 0. */
  readonly stuckSeeks?: number;
}

/** What the player should do. */
export type LiveEdgeAction =
  | { readonly type: 'none' }
  | { readonly type: 'seek'; readonly to: number; readonly reason: 'start' | 'live' | 'frame' | 'drift' | 'gap' | 'resume' | 'stuck' }
  | { readonly type: 'rate'; readonly rate: number };

/** Decision of {@link decideLiveEdge}: the action and the phase once it has been carried out. */
export interface LiveEdgeDecision {
  readonly action: LiveEdgeAction;
  readonly phase: LivePhase;
}

/**
 * The live position a seek goes to: the start of the newest frame (+1 ms), inside the newest
 * range (its start when the newest frame is not in it); with a `lead`, that far before the
 * newest frame's start instead, when the newest range holds media there (the frame before it).
 * @param frameStart decode time of the newest frame, seconds, or null when unknown
 * @param lead seconds before the newest frame's start to land at (high frame rates:
 *   {@link LiveEdgeConfig.seekLead}); 0 lands on the newest frame
 * @returns seconds of media time, or null without buffered data
 */
export function liveEdgeTarget(ranges: readonly BufferedRange[], frameStart: number | null = null, lead = 0): number | null {
  const last = ranges[ranges.length - 1];
  if (!last) return null;
  const start = frameStart !== null && frameStart >= last.start && frameStart < last.end ? frameStart : last.start;
  if (lead > FRAME_STEP_EPSILON && start - lead >= last.start) return start - lead;
  return Math.min(last.end, start + FRAME_STEP_EPSILON);
}

/**
 * How far the position is behind the start of the newest frame, seconds (> 0: behind; <= 0:
 * inside the newest frame or waiting at the end of the buffer).
 * @param bufferedEnd end of the newest buffered range, seconds
 * @param frameDuration seconds per frame (1 / fps), or null (then `stepMinFrameDuration`)
 */
export function liveDrift(bufferedEnd: number, currentTime: number, frameDuration: number | null, config: LiveEdgeConfig = DEFAULT_LIVE_EDGE_CONFIG): number {
  return bufferedEnd - (frameDuration ?? config.stepMinFrameDuration) - currentTime;
}

/** The live-edge decision; see the file comment. Pure. */
export function decideLiveEdge(input: LiveEdgeInput, config: LiveEdgeConfig = DEFAULT_LIVE_EDGE_CONFIG): LiveEdgeDecision {
  const none = (phase: LivePhase): LiveEdgeDecision => ({ action: { type: 'none' }, phase });
  const { ranges, currentTime, phase } = input;
  const last = ranges[ranges.length - 1];
  if (!last) return none(phase);
  const d = input.frameDuration;
  const newest = input.newestFrameStart;
  const lowRate = d !== null && d >= config.stepMinFrameDuration;
  // High frame rates land just before the newest frame (see `seekLead`); low ones on it (each frame is stepped to).
  const target = liveEdgeTarget(ranges, newest, d !== null && !lowRate ? config.seekLead : 0)!;
  if (isStuck(input, config)) return { action: { type: 'seek', to: target, reason: 'stuck' }, phase };
  if (input.seeking) return none(phase);

  if (phase === 'start') {
    return { action: { type: 'seek', to: ranges[0]!.start, reason: 'start' }, phase: 'joined' };
  }
  if (phase === 'joined') {
    // Wait until the join burst (init + buffered GOP) is appended, so one jump reaches the edge.
    if (input.appendPending) return none(phase);
    return { action: { type: 'seek', to: target, reason: 'live' }, phase: 'live' };
  }
  if (input.forceLive) {
    return { action: { type: 'seek', to: target, reason: 'resume' }, phase };
  }
  if (input.userPaused) return none(phase);

  // Before the newest range: in front of a gap (Sentinel reconnect, skipped GOP) or evicted.
  // Playback would stall at the end of its range forever. (Past the end is fine: waiting.)
  if (currentTime < last.start - config.rangeSlack) return { action: { type: 'seek', to: target, reason: 'gap' }, phase };

  const newestBuffered = newest !== null && newest >= last.start && newest < last.end;
  const step: LiveEdgeDecision = { action: { type: 'seek', to: target, reason: 'frame' }, phase };
  if (input.feedback === true && (input.unshownSteps ?? 0) < config.maxUnshownSteps && newest !== null) {
    // Presentation feedback: judge by the picture on screen, not by the position (which may lag it while waiting).
    const shown = input.shownFrameStart ?? null;
    const behind = shown === null ? Infinity : newest - shown;
    const mayStep = newestBuffered && behind > FRAME_STEP_EPSILON && (input.lastSeekAgoMs ?? Infinity) >= config.showTimeoutMs;
    if (mayStep && lowRate) return step;
    const appendedAgo = input.newestAppendedAgoMs ?? 0;
    if (mayStep && behind >= config.stepMinFrameDuration && appendedAgo >= config.showTimeoutMs) return step;
    // Stalled, and the newest frame not presented: the element will not play into it (see `stallTimeoutMs`).
    if (mayStep && input.stalled && appendedAgo >= config.stallTimeoutMs) return step;
  } else {
    // Low frame rate: a playing element before the newest frame would show the old one for the rest of its
    // duration, and a stalled one may not resume into it.
    if (lowRate && newestBuffered && currentTime < newest! - (input.stalled ? FRAME_STEP_EPSILON : config.frameStepTolerance)) return step;
    if (liveDrift(last.end, currentTime, d, config) > config.maxDrift) return { action: { type: 'seek', to: target, reason: 'drift' }, phase };
  }

  // Run into the end of the buffer and wait there for the next frame.
  const rate = Math.round(config.catchUpRate * 100) / 100;
  if (Math.abs(rate - input.playbackRate) >= 0.01) return { action: { type: 'rate', rate }, phase };
  return none(phase);
}

/**
 * A watchdog's wait before its next seek: `baseMs`, doubled for each watchdog seek in a row
 * with no progress since (`inRow`), up to 8×, so a seek that is only slow on a loaded machine
 * is not restarted for ever. Used by the live player's `stuck` rule and the review player's
 * watchdog (review/recording-model.ts `isPlaybackStuck`).
 * @returns ms
 */
export function watchdogWaitMs(baseMs: number, inRow: number): number {
  return baseMs * 2 ** Math.min(Math.max(inRow, 0), 3);
}

/** The watchdog's test (see `stuck` in the file comment): live, trusted feedback, a frame waiting too long; a jump asked for (`forceLive`) goes first. */
function isStuck(input: LiveEdgeInput, config: LiveEdgeConfig): boolean {
  if (input.phase !== 'live' || input.userPaused || input.forceLive || input.feedback !== true || input.newestFrameStart === null) return false;
  if ((input.unshownSteps ?? 0) >= config.maxUnshownSteps) return false; // the video is not rendered: the position decides
  const waitMs = watchdogWaitMs(config.stuckTimeoutMs, input.stuckSeeks ?? 0);
  return (input.waitingFrameAgoMs ?? 0) >= waitMs && (input.lastSeekAgoMs ?? Infinity) >= waitMs;
}

/** Input of {@link planTrim}. */
export interface TrimInput {
  readonly ranges: readonly BufferedRange[];
  /** Playback position, seconds. */
  readonly currentTime: number;
  /** Start times of the appended join fragments (IDR), ascending, seconds. */
  readonly joinTimes: readonly number[];
  /** Media to keep behind the playback position, seconds (e.g. 30; 0 when evicting on QuotaExceededError). */
  readonly keepBehind: number;
  /** Do not bother with removals shorter than this, seconds. Default 1. */
  readonly minRemove?: number;
}

/**
 * The range to remove behind the playback position so memory stays bounded,
 * or null. The removal ends at a join fragment: MSE removes, with each
 * removed frame, every frame up to the next random access point that depends
 * on it (W3C MSE "coded frame removal" algorithm), so ending at a join
 * fragment removes exactly whole GOPs and never frames still needed to
 * decode the current one. Whole ranges that end before the cut-off (before a
 * gap) go too.
 */
export function planTrim(input: TrimInput): BufferedRange | null {
  const first = input.ranges[0];
  if (!first) return null;
  const cutoff = input.currentTime - input.keepBehind;
  let end = -Infinity;
  for (const t of input.joinTimes) {
    if (t <= cutoff) end = t;
    else break;
  }
  for (const r of input.ranges) {
    if (r.end <= cutoff && r.end > end) end = r.end;
  }
  const minRemove = input.minRemove ?? 1;
  if (!(end - first.start >= minRemove)) return null;
  return { start: first.start, end };
}

/** `TimeRanges` -> plain ranges. */
export function toRanges(tr: { readonly length: number; start(i: number): number; end(i: number): number }): BufferedRange[] {
  const out: BufferedRange[] = [];
  for (let i = 0; i < tr.length; i++) out.push({ start: tr.start(i), end: tr.end(i) });
  return out;
}
