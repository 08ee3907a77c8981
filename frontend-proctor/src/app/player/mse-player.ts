/**
 * MsePlayer: the DOM side of the player. It owns one MediaSource attached to a
 * `<video>` element, takes {@link MediaEvent}s from the media pipeline
 * through {@link MsePlayer.handle}, appends them through a
 * {@link SourceBufferQueue}, and carries out the decisions of the pure
 * live-edge policy ({@link decideLiveEdge}, {@link planTrim}).
 *
 * Specs: W3C Media Source Extensions (MSE, https://www.w3.org/TR/media-source-2/):
 * the MediaSource interface (`sourceopen`, `addSourceBuffer()`,
 * `isTypeSupported()`) and the SourceBuffer interface; WHATWG HTML "media
 * elements" (`currentTime`, `buffered`, `readyState`); the
 * `requestVideoFrameCallback` draft (WICG video-rvfc) for the display time of
 * each frame.
 *
 * Latency figures (latency-figures.ts, each named for what it measures): capture → screen =
 * wall clock when a frame is displayed − its capture wall clock (`prft`, written by the
 * Sentinel), split into capture → portal (the bytes came off the socket) and portal → screen;
 * and the age of the picture on screen. Capture times are Unix epoch milliseconds of another
 * machine, so figures from them include the clocks' offset; NTP-synced machines keep that in
 * the low milliseconds.
 */
import { FragmentTimeline, type TimelineEntry } from './fragment-timeline';
import { RecentValues, behindLiveEdgeMs, frameLatency, pictureAgeMs } from './latency-figures';
import {
  DEFAULT_LIVE_EDGE_CONFIG,
  decideLiveEdge,
  planTrim,
  toRanges,
  type LiveEdgeConfig,
  type LivePhase,
} from './live-edge';
import { MediaSourceSink } from './media-source-sink';
import { markOnce } from '../core/perf-marks';
import { RecoveryBudget, keepError, playerError, type PlayerError } from './player-events';
import type { ParsedFragment, InitSegment, MediaEvent } from './media-pipeline';
import type { QueueEvent } from './source-buffer-queue';

/** Coarse player state for the UI. */
export type PlayerState =
  | 'connecting' // no init segment yet
  | 'buffering' // init appended, no frame shown yet
  | 'playing' // frames arriving and shown (at low fps the element waits between frames: still 'playing')
  | 'waiting' // stalled and no fragment for longer than two frame periods + 1 s
  | 'paused' // paused by the user
  | 'background' // the tab is hidden: decoding paused, appending and trimming go on
  | 'ended' // the stream ended (server `unsubscribed`, reason stream-ended)
  | 'error'; // fatal error, not recovered

/** Read-only snapshot of the player, for the UI and `window.__vigilPlayer` (e2e tests). */
export interface PlayerSnapshot {
  readonly state: PlayerState;
  /** Capture → screen of the last frame put on screen: display wall clock − `prft` capture time, ms. */
  readonly latencyMs: number | null;
  /** Capture → screen over the last {@link RECENT_FRAMES} live frames on screen (not the join's replay): median and maximum, ms. */
  readonly latencyMedianMs: number | null;
  readonly latencyMaxMs: number | null;
  /** Capture → portal of the last frame on screen: its bytes came off the socket − `prft`, ms. */
  readonly captureToPortalMs: number | null;
  /** Portal → screen of the last frame on screen: display − arrival of its bytes, ms (one clock). */
  readonly portalToScreenMs: number | null;
  /** Picture age: `Date.now()` − capture time of the frame on screen now, ms (grows between frames at low fps). */
  readonly frameAgeMs: number | null;
  /**
   * Capture time (`prft`, the Sentinel's clock) of the frame on screen now (the later of the last
   * one presented, by requestVideoFrameCallback, and the one under the position), ms since the
   * Unix epoch; null before the first frame or without `prft`.
   */
  readonly shownCaptureMs: number | null;
  /** Newest frame held − frame on screen, in capture time, ms (0 at the live edge). */
  readonly behindLiveEdgeMs: number | null;
  /** Picture size from the init segment (`tkhd`/`avc1`), pixels. */
  readonly width: number | null;
  readonly height: number | null;
  /** `video.videoWidth` / `videoHeight` as decoded, pixels (0 before the first frame). */
  readonly videoWidth: number;
  readonly videoHeight: number;
  /** Codec string of the current init segment, e.g. `avc1.42C028`. */
  readonly codec: string | null;
  /** Frame rate from the newest fragments' durations, frames per second. */
  readonly fps: number | null;
  /** Start of the first / end of the last buffered range, seconds of media time. */
  readonly bufferedStart: number | null;
  readonly bufferedEnd: number | null;
  /** `video.currentTime`, seconds of media time. */
  readonly currentTime: number;
  /** `bufferedEnd − currentTime`, seconds. */
  readonly lag: number | null;
  /** `video.playbackRate` (live-edge nudges). */
  readonly playbackRate: number;
  /** Init segments and fragments appended to the SourceBuffer so far. */
  readonly initSegments: number;
  readonly appended: number;
  /** Fragments not appended (no init, waiting for a join fragment, duplicates, buffer full). */
  readonly dropped: number;
  /** Seeks done by the live-edge policy, and the reason of the last one. */
  readonly liveSeeks: number;
  readonly lastSeekReason: string | null;
  /** The last 10 live-edge seeks: reason, from/to (seconds of media time), buffered ranges then. */
  readonly recentSeeks: readonly SeekRecord[];
  /** From the player's creation to the first frame on screen, ms. */
  readonly startupMs: number | null;
  /** `performance.now()` of the first frame on screen: page open (navigation start) → first frame, ms. */
  readonly firstFrameAtMs: number | null;
  /** MediaSources rebuilt after fatal errors. */
  readonly recoveries: number;
  /** The last 20 error events, oldest first. */
  readonly errors: readonly PlayerError[];
}

/** One seek done by the live-edge policy (diagnostics). */
export interface SeekRecord {
  readonly reason: string;
  /** Media time before and after, seconds. */
  readonly from: number;
  readonly to: number;
  /** Buffered ranges at the time, seconds. */
  readonly ranges: readonly (readonly [number, number])[];
  /** Unix epoch ms. */
  readonly atMs: number;
}

/** Options of {@link MsePlayer}. */
export interface MsePlayerOptions {
  /** Live-edge tuning; see {@link LiveEdgeConfig}. */
  readonly liveEdge?: Partial<LiveEdgeConfig>;
  /** Media kept behind the playback position, seconds. Default 30. */
  readonly keepBehind?: number;
  /** Live-edge / stats period, ms. Default 250. */
  readonly tickMs?: number;
  /** Every error event (fatal or not). */
  onError?(error: PlayerError): void;
  /**
   * A fatal error was handled by rebuilding the MediaSource: the owner must
   * resubscribe so the server sends an init segment and a join fragment again.
   */
  onRecover?(): void;
  /** Snapshot after each tick (for UI signals). */
  onSnapshot?(snapshot: PlayerSnapshot): void;
}

/** A fragment with the time its bytes came off the socket (`Date.now()`, ms). */
type ArrivedFragment = ParsedFragment & { readonly arrivalMs: number };
type QueueTag = InitSegment | ArrivedFragment;

/** Frames the median and maximum of capture → screen are taken over. */
export const RECENT_FRAMES = 20;

/** Minimum time between buffer trims, ms. */
const TRIM_INTERVAL_MS = 2_000;

/** See the file comment. */
export class MsePlayer {
  private readonly config: LiveEdgeConfig;
  private readonly keepBehind: number;
  private readonly timeline = new FragmentTimeline();
  private readonly createdAt = performance.now();

  /** MediaSource, SourceBuffer and its queue, init segments (shared with the review player). */
  private readonly sink: MediaSourceSink<QueueTag>;
  /** After a dropped append, skip fragments up to the next join fragment. */
  private skipUntilJoin = false;

  private phase: LivePhase = 'start';
  private forceLive = false;
  private userPaused = false;
  /** The document is hidden (HTML "Page visibility"): the player pauses itself. */
  private backgrounded = typeof document !== 'undefined' && document.visibilityState === 'hidden';
  private ended = false;
  private fatal: PlayerError | null = null;
  private readonly recoveryBudget = new RecoveryBudget();
  private lastTrimMs = 0;
  private trimming = false;

  private latencyMs: number | null = null;
  private captureToPortalMs: number | null = null;
  private portalToScreenMs: number | null = null;
  private readonly recentLatency = new RecentValues(RECENT_FRAMES);
  private startupMs: number | null = null;
  private firstFrameAtMs: number | null = null;
  private lastShownSequence: number | null = null;
  /** performance.now() of the last fragment append, ms. */
  private lastAppendAt = 0;
  /** The frame last presented (requestVideoFrameCallback; its timeline entry, `start` in seconds), null when unknown. */
  private shownEntry: TimelineEntry | null = null;
  /** performance.now() when the player's last seek started or ended, ms (a frame gets `showTimeoutMs` after it to be presented); null before any. */
  private lastSeekAt: number | null = null;
  /** `frame` seeks since a frame was last presented. */
  private unshownSteps = 0;
  /** Watchdog (`stuck`) seeks since a frame was last presented. */
  private stuckSeeks = 0;
  /** Timers that re-run the live-edge policy `stallTimeoutMs` and `showTimeoutMs` after an append (is the frame on screen?). */
  private showChecks: ReturnType<typeof setTimeout>[] = [];
  private initSegments = 0;
  private appended = 0;
  private dropped = 0;
  private liveSeeks = 0;
  private lastSeekReason: string | null = null;
  private readonly recentSeeks: SeekRecord[] = [];
  private recoveries = 0;
  private readonly errors: PlayerError[] = [];

  private timer: ReturnType<typeof setInterval> | null = null;
  private rvfcHandle: number | null = null;
  private destroyed = false;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly options: MsePlayerOptions = {},
  ) {
    this.config = { ...DEFAULT_LIVE_EDGE_CONFIG, ...options.liveEdge };
    this.keepBehind = options.keepBehind ?? 30;
    video.muted = true; // muted autoplay is always allowed (and Vigil streams have no audio)
    video.playsInline = true;
    this.sink = new MediaSourceSink<QueueTag>(video, {
      onQueueEvent: (e) => this.onQueueEvent(e),
      onFatal: (error, recoverable) => this.fail(error, recoverable),
      evictionRange: () =>
        planTrim({
          ranges: toRanges(video.buffered),
          currentTime: video.currentTime,
          joinTimes: this.timeline.joinTimes(),
          keepBehind: 0,
          minRemove: 0.001,
        }),
      onRecreated: () => {
        // no changeType(): a new MediaSource, the new init segment first
        this.timeline.clear();
        this.shownEntry = null;
        this.stuckSeeks = 0;
        this.phase = 'start';
      },
    });
    video.addEventListener('seeked', this.onSeeked);
    video.addEventListener('waiting', this.tick);
    document.addEventListener('visibilitychange', this.onVisibility);
    this.timer = setInterval(this.tick, options.tickMs ?? 250);
    markOnce('vigil:player-created');
    this.openMediaSource();
    this.watchFrames();
  }

  /** Feeds one event of the media pipeline. */
  handle(ev: MediaEvent): void {
    if (this.destroyed) return;
    switch (ev.kind) {
      case 'init':
      case 'fragment':
        this.process(ev); // the sink holds them until the MediaSource opens
        return;
      case 'dropped':
        this.dropped++;
        return;
      case 'error':
        this.report(ev.error);
        return;
      case 'subscribed':
        this.ended = false;
        markOnce('vigil:subscribed');
        return;
      case 'unsubscribed':
        if (ev.reason === 'stream-ended') this.ended = true;
        else this.report(playerError('networkError', 'unsubscribed', false, `server ended the subscription: ${ev.reason}`));
        return;
    }
  }

  /** Jumps to the live edge at the next tick (the "Go live" button). */
  goLive(): void {
    this.forceLive = true;
    this.userPaused = false;
    void this.video.play().catch(() => undefined);
    this.tick();
  }

  /** Pauses / resumes; resuming jumps back to the live edge. */
  setPaused(paused: boolean): void {
    this.userPaused = paused;
    if (paused) this.video.pause();
    else this.goLive();
  }

  /** Current read-only snapshot. */
  snapshot(): PlayerSnapshot {
    const v = this.video;
    const ranges = toRanges(v.buffered);
    const first = ranges[0];
    const last = ranges[ranges.length - 1];
    // the later of the frame presented last and the one under the position: a stall step seeks
    // back to just before the newest frame (seekLead), moving the position into the frame before
    // it while the picture stays (a flag must never land on an older frame than one before it);
    // after a seek forward the new frame is drawn before its requestVideoFrameCallback runs
    const underPosition = this.timeline.at(v.currentTime);
    const shown = this.shownEntry && (!underPosition || this.shownEntry.start > underPosition.start) ? this.shownEntry : underPosition;
    const recent = this.recentLatency.summary();
    return Object.freeze({
      state: this.state(),
      latencyMs: round1(this.latencyMs),
      latencyMedianMs: round1(recent.medianMs),
      latencyMaxMs: round1(recent.maxMs),
      captureToPortalMs: round1(this.captureToPortalMs),
      portalToScreenMs: round1(this.portalToScreenMs),
      frameAgeMs: round1(pictureAgeMs(shown?.captureTimeMs, Date.now())),
      shownCaptureMs: shown?.captureTimeMs ?? null,
      behindLiveEdgeMs: round1(behindLiveEdgeMs(shown?.captureTimeMs, this.timeline.newest?.captureTimeMs)),
      width: this.sink.format?.width ?? null,
      height: this.sink.format?.height ?? null,
      videoWidth: v.videoWidth,
      videoHeight: v.videoHeight,
      codec: this.sink.format?.codec ?? null,
      fps: this.timeline.fps() === null ? null : Math.round(this.timeline.fps()! * 100) / 100,
      bufferedStart: first ? first.start : null,
      bufferedEnd: last ? last.end : null,
      currentTime: v.currentTime,
      lag: last ? Math.round((last.end - v.currentTime) * 1000) / 1000 : null,
      playbackRate: v.playbackRate,
      initSegments: this.initSegments,
      appended: this.appended,
      dropped: this.dropped,
      liveSeeks: this.liveSeeks,
      lastSeekReason: this.lastSeekReason,
      recentSeeks: Object.freeze([...this.recentSeeks]),
      startupMs: round1(this.startupMs),
      firstFrameAtMs: round1(this.firstFrameAtMs),
      recoveries: this.recoveries,
      errors: Object.freeze([...this.errors]),
    });
  }

  /** Stops everything and detaches from the element. Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.showChecks.forEach((t) => clearTimeout(t));
    if (this.rvfcHandle !== null && 'cancelVideoFrameCallback' in this.video) {
      this.video.cancelVideoFrameCallback(this.rvfcHandle);
    }
    this.video.removeEventListener('seeked', this.onSeeked);
    this.video.removeEventListener('waiting', this.tick);
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.sink.destroy();
  }

  // -------------------------------------------------------------------------
  // MediaSource lifecycle

  private openMediaSource(): void {
    this.sink.open();
    void this.video.play().catch(() => undefined); // resolves once data arrives; muted autoplay
  }

  /** Rebuilds the MediaSource after a fatal error and asks the owner to resubscribe. */
  private recover(): void {
    if (!this.recoveryBudget.take(Date.now())) return; // give up: state stays 'error'
    this.recoveries++;
    this.timeline.clear();
    this.recentLatency.clear();
    this.fatal = null;
    this.phase = 'start';
    this.skipUntilJoin = false;
    this.lastShownSequence = null;
    this.shownEntry = null;
    this.stuckSeeks = 0;
    this.sink.reopen();
    void this.video.play().catch(() => undefined);
    safe(() => this.options.onRecover?.());
  }

  // -------------------------------------------------------------------------
  // Segments -> SourceBuffer

  private process(seg: InitSegment | ParsedFragment): void {
    if (this.fatal) return;
    if (seg.kind === 'init') this.processInit(seg);
    else this.processFragment(seg);
  }

  private processInit(seg: InitSegment): void {
    // create / append / changeType / recreate (codec.ts); a failure is reported through onFatal
    this.sink.appendInit(seg.bytes, seg.info, seg);
  }

  private processFragment(fragment: ParsedFragment): void {
    const seg: ArrivedFragment = { ...fragment, arrivalMs: Date.now() }; // handle() runs in the socket's message event
    if (!this.sink.hasSourceBuffer && this.sink.backlog === 0) {
      this.dropped++; // no init segment yet
      return;
    }
    if (this.skipUntilJoin) {
      if (!seg.join) {
        this.dropped++;
        return;
      }
      this.skipUntilJoin = false;
    }
    if (!this.sink.appendMedia(seg.bytes, seg)) this.dropped++;
  }

  /** Runs the live-edge policy again when the newest frame's stall and show timeouts expire. */
  private scheduleShowChecks(): void {
    this.showChecks.forEach((t) => clearTimeout(t));
    this.showChecks = [...new Set([this.config.stallTimeoutMs, this.config.showTimeoutMs])].map((ms) => setTimeout(this.tick, ms + 1));
  }

  private onQueueEvent(e: QueueEvent<QueueTag>): void {
    switch (e.type) {
      case 'appended':
        if (e.tag.kind === 'init') {
          this.initSegments++;
        } else {
          this.appended++;
          this.lastAppendAt = performance.now();
          this.timeline.add(e.tag.info, e.tag.sequence, e.tag.join, this.sink.timescale, e.tag.arrivalMs, e.tag.replay);
          this.scheduleShowChecks();
          this.tick();
        }
        return;
      case 'removed':
        this.trimming = false;
        this.timeline.pruneBefore(e.end);
        return;
      case 'dropped':
        this.dropped++;
        this.skipUntilJoin = true;
        return;
      case 'typeChanged':
        return;
      case 'error':
        if (e.error.details === 'bufferRemoveError') this.trimming = false;
        if (e.error.fatal) this.fail(e.error);
        else this.report(e.error);
        return;
    }
  }

  // -------------------------------------------------------------------------
  // Live edge, trimming, stats

  /** Runs the live-edge policy and buffer trimming; publishes a snapshot. */
  private readonly tick = (): void => {
    if (this.destroyed) return;
    const v = this.video;
    if (!this.fatal && this.sink.hasSourceBuffer) {
      const ranges = toRanges(v.buffered);
      this.maybeTrim(ranges);
      if (this.backgrounded) {
        this.publish();
        return;
      }
      const decision = decideLiveEdge(
        {
          phase: this.phase,
          ranges,
          currentTime: v.currentTime,
          playbackRate: v.playbackRate,
          userPaused: this.userPaused,
          seeking: v.seeking,
          stalled: !v.paused && v.readyState <= HTMLMediaElement.HAVE_CURRENT_DATA,
          frameDuration: frameDuration(this.timeline.newest),
          newestFrameStart: this.timeline.newest?.start ?? null,
          appendPending: this.sink.backlog > 0,
          forceLive: this.forceLive,
          feedback: this.hasFrameCallbacks(),
          shownFrameStart: this.shownEntry?.start ?? null,
          newestAppendedAgoMs: performance.now() - this.lastAppendAt,
          lastSeekAgoMs: this.lastSeekAt === null ? null : performance.now() - this.lastSeekAt,
          unshownSteps: this.unshownSteps,
          waitingFrameAgoMs: this.waitingFrameAgoMs(),
          stuckSeeks: this.stuckSeeks,
        },
        this.config,
      );
      const a = decision.action;
      if (a.type === 'seek') {
        this.liveSeeks++;
        this.lastSeekReason = a.reason;
        this.forceLive = false;
        this.recentSeeks.push({
          reason: a.reason,
          from: v.currentTime,
          to: a.to,
          ranges: ranges.map((r) => [r.start, r.end] as const),
          atMs: Date.now(),
        });
        if (this.recentSeeks.length > 10) this.recentSeeks.shift();
        this.lastSeekAt = performance.now();
        if (a.reason === 'frame') this.unshownSteps++;
        if (a.reason === 'stuck') this.stuckSeeks++;
        v.currentTime = a.to;
      } else if (a.type === 'rate') {
        v.playbackRate = a.rate;
      }
      this.phase = decision.phase;
      if (ranges.length > 0 && v.paused && !this.userPaused) void v.play().catch(() => undefined);
    }
    if (!this.hasFrameCallbacks()) this.updateLatencyFromPosition();
    this.publish();
  };

  /**
   * How long the oldest appended frame not on screen yet (the one after the frame on screen; the
   * oldest held before any was shown) has been waiting since it came off the socket, ms; null when
   * the newest frame is on screen or its arrival time is unknown.
   */
  private waitingFrameAgoMs(): number | null {
    const shown = this.shownEntry;
    const next = this.timeline.firstAfter(shown ? shown.start : -Infinity);
    return next?.arrivalMs == null ? null : Date.now() - next.arrivalMs;
  }

  private readonly onSeeked = (): void => {
    if (this.lastSeekAt !== null) this.lastSeekAt = performance.now();
    this.tick();
  };

  private publish(): void {
    if (!this.options.onSnapshot) return;
    const s = this.snapshot();
    safe(() => this.options.onSnapshot!(s));
  }

  private maybeTrim(ranges: ReturnType<typeof toRanges>): void {
    const now = performance.now();
    if (this.trimming || !this.sink.hasSourceBuffer || this.sink.backlog > 0 || now - this.lastTrimMs < TRIM_INTERVAL_MS) return;
    this.lastTrimMs = now;
    // Paused (by the user or in the background) the position stands still while
    // media keeps arriving: trim relative to the buffer end so memory stays bounded.
    const last = ranges[ranges.length - 1];
    const position = (this.userPaused || this.backgrounded) && last ? Math.max(last.end, this.video.currentTime) : this.video.currentTime;
    const range = planTrim({
      ranges,
      currentTime: position,
      joinTimes: this.timeline.joinTimes(),
      keepBehind: this.keepBehind,
    });
    if (range) {
      this.trimming = true;
      this.sink.remove(range.start, range.end);
    }
  }

  /**
   * Latency per displayed frame with requestVideoFrameCallback: `mediaTime` is
   * the frame's presentation time (seconds), `expectedDisplayTime` the time it
   * reaches the screen (DOMHighResTimeStamp, ms since `performance.timeOrigin`),
   * turned into the wall clock the arrival times are read on (`Date.now()`).
   */
  private watchFrames(): void {
    if (!this.hasFrameCallbacks()) return;
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata): void => {
      if (this.destroyed) return;
      this.frameShown(this.timeline.at(meta.mediaTime), Date.now() + (meta.expectedDisplayTime - performance.now()), meta.expectedDisplayTime);
      this.rvfcHandle = this.video.requestVideoFrameCallback(onFrame);
    };
    this.rvfcHandle = this.video.requestVideoFrameCallback(onFrame);
  }

  private hasFrameCallbacks(): boolean {
    return 'requestVideoFrameCallback' in HTMLVideoElement.prototype;
  }

  /** Fallback without requestVideoFrameCallback: a new frame under currentTime counts as shown now (±tick). */
  private updateLatencyFromPosition(): void {
    if (this.video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return;
    const entry = this.timeline.at(this.video.currentTime);
    if (entry && entry.sequence !== this.lastShownSequence) this.frameShown(entry, Date.now(), performance.now());
  }

  /**
   * A frame reached the screen at `displayWallMs` (wall clock, as `Date.now()`) =
   * `displayPerfMs` (page clock, as `performance.now()`).
   */
  private frameShown(entry: TimelineEntry | null, displayWallMs: number, displayPerfMs: number): void {
    if (!entry) return;
    this.lastShownSequence = entry.sequence;
    this.shownEntry = entry;
    this.unshownSteps = 0;
    this.stuckSeeks = 0;
    if (this.startupMs === null) {
      this.startupMs = displayPerfMs - this.createdAt;
      this.firstFrameAtMs = displayPerfMs;
      markOnce('vigil:first-frame');
    }
    const figures = frameLatency({ captureMs: entry.captureTimeMs, arrivalMs: entry.arrivalMs, shownMs: displayWallMs });
    if (figures.captureToScreenMs !== null) {
      this.latencyMs = figures.captureToScreenMs;
      // the join's replay shows frames captured before the subscription: not the live figure
      if (!entry.replay) this.recentLatency.add(figures.captureToScreenMs);
    }
    this.captureToPortalMs = figures.captureToPortalMs;
    this.portalToScreenMs = figures.portalToScreenMs;
  }

  private state(): PlayerState {
    if (this.fatal) return 'error';
    if (this.ended) return 'ended';
    if (this.userPaused) return 'paused';
    if (this.backgrounded) return 'background';
    if (!this.sink.format) return 'connecting';
    if (this.startupMs === null) return 'buffering';
    if (this.video.paused) return 'waiting';
    if (this.video.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA) return 'playing';
    // HAVE_CURRENT_DATA between frames is normal at low fps: the newest frame is on screen.
    const period = (frameDuration(this.timeline.newest) ?? 1) * 1000;
    return performance.now() - this.lastAppendAt <= 2 * period + 1000 ? 'playing' : 'waiting';
  }

  // -------------------------------------------------------------------------
  // Errors

  /**
   * Hidden: pause decoding (Chromium pauses hidden video-only players anyway and
   * throttles timers; nobody looks at the frames). Visible again: the position
   * is behind, so jump to the live edge and play.
   */
  private readonly onVisibility = (): void => {
    this.backgrounded = document.visibilityState === 'hidden';
    if (this.backgrounded) {
      this.video.pause();
      this.publish();
    } else if (!this.userPaused) {
      this.goLive();
    }
  };

  private report(error: PlayerError): void {
    keepError(this.errors, error);
    safe(() => this.options.onError?.(error));
  }

  /** Records a fatal error and, unless `recoverable` is false, rebuilds the MediaSource. */
  private fail(error: PlayerError, recoverable = true): void {
    if (this.fatal) return;
    this.fatal = error;
    this.report(error);
    if (recoverable) queueMicrotask(() => !this.destroyed && this.recover());
  }
}

function frameDuration(entry: TimelineEntry | null): number | null {
  return entry ? entry.end - entry.start : null;
}

function round1(v: number | null): number | null {
  return v === null ? null : Math.round(v * 10) / 10;
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch {
    // a failing listener must not break the player
  }
}
