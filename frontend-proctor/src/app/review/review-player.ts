/**
 * ReviewPlayer: plays a stored recording in a `<video>` with Media Source Extensions,
 * fed from the recording's time-range routes (docs/control-api.md "Recordings"):
 *
 *   GET /api/recordings/:streamId/index?from=   segments (wall clock from prft, tfdt), init segments, gaps
 *   GET /api/recordings/:streamId/files/:file   the stored init segment and segment files (Range)
 *
 * The decisions are pure and tested elsewhere: placement and wall clock ↔ media time
 * (`recording-model.ts`), what to fetch and evict around the playhead (`buffer-plan.ts`),
 * splitting a (growing) segment file into fragments (`segment-file.ts`). This class does
 * the I/O: it fetches the files one at a time, appends them in order through the shared
 * {@link MediaSourceSink} (init segment before the first segment that decodes with it, a
 * `changeType()` at init changes, `timestampOffset` where a segment is placed elsewhere),
 * moves the element (seek, play, pause, rate, frame steps), jumps over holes, and polls
 * the index while the stream is live (the recording grows; so does its newest segment,
 * which is read again from where the last read stopped).
 *
 * Media time is seconds on the SourceBuffer's timeline; wall clock is ms since the Unix
 * epoch (the Sentinel's capture clock, `prft`).
 */
import type { RecordingRangeView } from '@vigil/api';
import { parseInitSegment, type InitSegmentInfo } from '@vigil/fmp4';
import { MediaSourceSink } from '../player/media-source-sink';
import { RecoveryBudget, errorMessage, keepError, playerError, type PlayerError } from '../player/player-events';
import { DEFAULT_BUFFER_WINDOW, planBuffer, staleAppended, type BufferPlan, type BufferWindow } from './buffer-plan';
import {
  checkStall,
  emptyModel,
  frameAt,
  isPlaybackStuck,
  isWallClockTargetFinal,
  mergeIndex,
  recordingMediaEnd,
  recordingSpan,
  stepFrame,
  wallClockAt,
  wallClockTarget,
  type FrameStore,
  type Hole,
  type RecordingModel,
  type SegmentFrames,
} from './recording-model';
import { framesOf, splitFragments } from './segment-file';

/** Where the review player gets the recording from (HTTP in the portal, fakes in tests). */
export interface RecordingSource {
  /** `GET …/index`, the whole recording or from `fromMs` (ms since the Unix epoch) on. */
  index(fromMs?: number): Promise<RecordingRangeView>;
  /**
   * `GET …/files/:file` from byte `fromByte` on (`Range: bytes=<fromByte>-`); an empty
   * array when the file has no bytes past `fromByte` (416).
   */
  file(name: string, fromByte: number): Promise<Uint8Array>;
}

/** Playback speeds offered, × real time. */
export const REVIEW_RATES: readonly number[] = [1, 2, 4, 8, 16];

/** Coarse state for the UI. */
export type ReviewState =
  | 'loading' // the index is being fetched
  | 'empty' // nothing recorded (yet)
  | 'buffering' // playing, waiting for segment files
  | 'playing'
  | 'paused'
  | 'live-edge' // playing a live recording at its newest frame: waiting for more
  | 'ended' // reached the end of an ended recording
  | 'error'; // fatal, not recovered

/** A hole jumped over, for the UI. */
export interface SkippedHole {
  readonly hole: Hole;
  /** `Date.now()` when it was skipped, ms. */
  readonly atMs: number;
}

/** Read-only snapshot for the UI and `window.__vigilReview` (e2e tests). */
export interface ReviewSnapshot {
  readonly state: ReviewState;
  readonly live: boolean;
  readonly paused: boolean;
  /** `video.seeking`: the frame on screen may still be the one before the seek. */
  readonly seeking: boolean;
  /** `video.playbackRate`. */
  readonly rate: number;
  /** `video.currentTime`, seconds of media time. */
  readonly currentTime: number;
  /** Capture time (`prft`) of the frame on screen, ms since the Unix epoch; null before any. */
  readonly wallClockMs: number | null;
  /** Sequence number of the frame on screen, when its segment was fetched. */
  readonly frameSequence: number | null;
  /** First and last recorded moment known, ms since the Unix epoch. */
  readonly span: { readonly fromMs: number; readonly toMs: number } | null;
  readonly segments: number;
  readonly gaps: number;
  /** Buffered ranges of the SourceBuffer, seconds. */
  readonly buffered: readonly (readonly [number, number])[];
  /** Segment files appended (or queued) now. */
  readonly appendedFiles: number;
  /** Files to read again (a live recording's newest segment), a read running, a wall-clock seek waiting for its frames. */
  readonly growingFiles: number;
  readonly fetching: boolean;
  readonly seekPending: boolean;
  /** Operations queued for the SourceBuffer. */
  readonly backlog: number;
  /** Segment file reads so far, and their bytes. */
  readonly reads: number;
  readonly bytesRead: number;
  /** Index polls so far. */
  readonly polls: number;
  /** The last hole jumped over. */
  readonly lastHole: SkippedHole | null;
  /** Seeks by the watchdog: playback stood still with its media buffered ({@link isPlaybackStuck}). */
  readonly stuckSeeks: number;
  readonly width: number | null;
  readonly height: number | null;
  readonly codec: string | null;
  /** `video.videoWidth` / `videoHeight`, pixels (0 before the first frame). */
  readonly videoWidth: number;
  readonly videoHeight: number;
  /** The last 20 error events, oldest first. */
  readonly errors: readonly PlayerError[];
}

/** Options of {@link ReviewPlayer}. */
export interface ReviewPlayerOptions {
  readonly source: RecordingSource;
  /** Index poll period while the stream is live, ms. Default 3000. */
  readonly pollMs?: number;
  /** Fetch window; see {@link BufferWindow}. */
  readonly window?: BufferWindow;
  /** State / index changes (throttled to the tick, 250 ms, and after each append). */
  onChange?(snapshot: ReviewSnapshot): void;
}

type Tag = { readonly kind: 'init'; readonly file: string } | { readonly kind: 'media'; readonly file: string };

const TICK_MS = 250;
/** Operations queued for the SourceBuffer before the fetch loop waits. */
const MAX_BACKLOG = 3;
/** MediaSource.duration is kept this far past the newest frame known, seconds (see ensureDuration). */
const DURATION_HEADROOM = 600;

/** See the file comment. */
export class ReviewPlayer {
  private readonly source: RecordingSource;
  private readonly window: BufferWindow;
  private readonly pollMs: number;
  private model: RecordingModel;
  private readonly frames = new Map<string, SegmentFrames>();
  private readonly inits = new Map<string, { bytes: Uint8Array; info: InitSegmentInfo }>();
  /** Files whose bytes read so far are appended or queued. */
  private readonly appended = new Set<string>();
  /** Files to read again from their byte count (the newest segment of a live recording). */
  private readonly growing = new Set<string>();
  private readonly sink: MediaSourceSink<Tag>;
  /** Init segment file and timestampOffset last queued to the SourceBuffer. */
  private lastInit: string | null = null;
  private lastOffset: number | null = null;
  private fetching = false;
  /** Failed reads in a row (back-off). */
  private failures = 0;
  private removing = false;
  /** Bumped by every seek: a read started before it is not appended. */
  private generation = 0;
  /** A wall-clock seek waiting for its segment's frames (exact `prft` position). */
  private pendingWallSeek: number | null = null;
  private loaded = false;
  private userPaused = true;
  private ended = false;
  private lastHole: SkippedHole | null = null;
  private stuckSeeks = 0;
  /** Watchdog seeks since the last progress (each doubles the next wait: `watchdogWaitMs`). */
  private stuckInRow = 0;
  /** What progress looks like (position and frame on screen) and when it last changed, `performance.now()` ms. */
  private progressKey = '';
  private lastProgressAt = 0;
  private lastDuration = 0;
  private shownMediaTime: number | null = null;
  private reads = 0;
  private bytesRead = 0;
  private polls = 0;
  private readonly errors: PlayerError[] = [];
  private fatal: PlayerError | null = null;
  private readonly recoveryBudget = new RecoveryBudget();
  private keepStart = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private rvfcHandle: number | null = null;
  private destroyed = false;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly options: ReviewPlayerOptions,
  ) {
    this.source = options.source;
    this.window = options.window ?? DEFAULT_BUFFER_WINDOW;
    this.pollMs = options.pollMs ?? 3000;
    this.model = emptyModel('');
    video.muted = true;
    video.playsInline = true;
    video.autoplay = false;
    this.sink = new MediaSourceSink<Tag>(video, {
      onQueueEvent: (e) => {
        if (e.type === 'appended' && e.tag.kind === 'media') this.afterAppend();
        else if (e.type === 'removed') this.removing = false;
        else if (e.type === 'dropped') this.appended.delete(e.tag.file);
        else if (e.type === 'error') {
          if (e.error.details === 'bufferRemoveError') this.removing = false;
          this.report(e.error);
        }
      },
      onFatal: (error, recoverable) => this.onFatal(error, recoverable),
      evictionRange: () => {
        const first = this.sink.buffered()[0];
        return first && first.start < this.keepStart ? { start: first.start, end: this.keepStart } : null;
      },
      onRecreated: () => this.forgetAppended(),
    });
    this.sink.open();
    video.addEventListener('seeking', this.onSeeking);
    video.addEventListener('seeked', this.tick);
    video.addEventListener('waiting', this.tick);
    video.addEventListener('timeupdate', this.tick);
    this.timer = setInterval(this.tick, TICK_MS);
    this.watchFrames();
  }

  /** The merged index. */
  get recording(): RecordingModel {
    return this.model;
  }

  /** The fetched frames by segment file. */
  get fetchedFrames(): FrameStore {
    return this.frames;
  }

  /**
   * Fetches the index and goes to `atMs` (wall clock, ms since the Unix epoch), or to the
   * start of the recording; `'end'` goes to its newest frame. Plays when `play` is true.
   */
  async start(at: number | 'start' | 'end' = 'start', play = false): Promise<void> {
    try {
      await this.poll();
    } catch (err) {
      this.report(playerError('networkError', 'serverError', false, `index: ${errorMessage(err)}`));
    }
    this.loaded = true;
    const span = recordingSpan(this.model, this.frames);
    if (span) this.seekToWallClock(at === 'start' ? span.fromMs : at === 'end' ? span.toMs : at);
    if (play) this.play();
    this.publish();
  }

  /** Goes to the frame captured at or just before `ms` (wall clock, ms since the Unix epoch); over a hole to the recording after it. */
  seekToWallClock(ms: number): void {
    const target = wallClockTarget(this.model, this.frames, ms);
    if (target.kind === 'empty') return;
    if (target.kind === 'hole') this.lastHole = { hole: target.hole, atMs: Date.now() };
    // exact only with the segment's frames (prft per frame) through `ms`: go near it now, exactly once read
    this.moveTo(target.mediaTime);
    this.pendingWallSeek = isWallClockTargetFinal(this.model, this.frames, target, ms) ? null : ms;
  }

  /** Goes to media time `t`, seconds. */
  seekToMedia(t: number): void {
    this.pendingWallSeek = null;
    this.moveTo(t);
  }

  private moveTo(t: number): void {
    if (this.destroyed) return;
    this.generation++;
    this.ended = false;
    this.shownMediaTime = null;
    this.ensureDuration(t);
    try {
      this.video.currentTime = Math.max(0, t);
    } catch {
      // HAVE_NOTHING: applied as the default playback start position
    }
    this.pump();
    this.publish();
  }

  /** Plays at the current rate; at the end of an ended recording, from the start again. */
  play(): void {
    this.userPaused = false;
    if (this.ended) {
      this.ended = false;
      const first = this.model.segments[0];
      if (first) this.seekToMedia(first.mediaStart + 0.001);
    }
    void this.video.play().catch(() => undefined);
    this.publish();
  }

  /** Pauses (the frame on screen stays; its wall-clock time stays in the label). */
  pause(): void {
    this.userPaused = true;
    this.video.pause();
    this.publish();
  }

  /** Sets the playback speed, × real time (1..16). */
  setRate(rate: number): void {
    const r = Math.min(16, Math.max(0.0625, rate));
    this.video.defaultPlaybackRate = r;
    this.video.playbackRate = r;
    this.pump();
    this.publish();
  }

  /** Pauses and steps one frame forward (1) or back (-1). */
  step(direction: 1 | -1): void {
    this.pause();
    const t = stepFrame(this.model, this.frames, this.displayedTime(), direction);
    if (t !== null) this.seekToMedia(t);
  }

  /** Capture time of the frame on screen, ms since the Unix epoch, or null. */
  wallClockNow(): number | null {
    return wallClockAt(this.model, this.frames, this.displayedTime());
  }

  /** Current snapshot. */
  snapshot(): ReviewSnapshot {
    const v = this.video;
    const t = this.displayedTime();
    const frame = frameAt(this.model, this.frames, t);
    const format = this.sink.format;
    return Object.freeze({
      state: this.state(),
      live: this.model.live,
      paused: v.paused,
      seeking: v.seeking,
      rate: v.playbackRate,
      currentTime: v.currentTime,
      wallClockMs: this.loaded ? wallClockAt(this.model, this.frames, t) : null,
      frameSequence: frame?.sequence ?? null,
      span: recordingSpan(this.model, this.frames),
      segments: this.model.segments.length,
      gaps: this.model.gaps.length,
      buffered: Object.freeze(this.sink.buffered().map((r) => [r.start, r.end] as const)),
      appendedFiles: this.appended.size,
      growingFiles: this.growing.size,
      fetching: this.fetching,
      seekPending: this.pendingWallSeek !== null,
      backlog: this.sink.backlog,
      reads: this.reads,
      bytesRead: this.bytesRead,
      polls: this.polls,
      lastHole: this.lastHole,
      stuckSeeks: this.stuckSeeks,
      width: format?.width ?? null,
      height: format?.height ?? null,
      codec: format?.codec ?? null,
      videoWidth: v.videoWidth,
      videoHeight: v.videoHeight,
      errors: Object.freeze([...this.errors]),
    });
  }

  /** Stops timers and fetches and detaches from the element. Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.timer !== null) clearInterval(this.timer);
    if (this.pollTimer !== null) clearTimeout(this.pollTimer);
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.rvfcHandle !== null && 'cancelVideoFrameCallback' in this.video) this.video.cancelVideoFrameCallback(this.rvfcHandle);
    this.video.removeEventListener('seeking', this.onSeeking);
    this.video.removeEventListener('seeked', this.tick);
    this.video.removeEventListener('waiting', this.tick);
    this.video.removeEventListener('timeupdate', this.tick);
    this.sink.destroy();
  }

  // -------------------------------------------------------------------------
  // Index polling

  /** Fetches the index (from the newest segment on, once known) and merges it. */
  private async poll(): Promise<void> {
    const newest = this.model.segments[this.model.segments.length - 1];
    const view = await this.source.index(newest ? newest.startMs : undefined);
    if (this.destroyed) return;
    this.polls++;
    const before = newest?.file ?? null;
    this.model = mergeIndex(this.model, view);
    const after = this.model.segments[this.model.segments.length - 1]?.file ?? null;
    // the newest segment may have grown; one that stopped being the newest gets a last read
    if (after && this.model.live) this.growing.add(after);
    if (before && before !== after && this.frames.has(before)) this.growing.add(before);
    if (!this.model.live && after && this.frames.has(after)) this.growing.add(after);
    this.ensureDuration(0);
    this.schedulePoll();
    this.pump();
    this.publish();
  }

  private schedulePoll(): void {
    if (this.pollTimer !== null) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    if (this.destroyed || !this.model.live) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      this.poll().catch((err: unknown) => {
        this.report(playerError('networkError', 'serverError', false, `index: ${errorMessage(err)}`));
        this.schedulePoll();
      });
    }, this.pollMs);
  }

  // -------------------------------------------------------------------------
  // Fetch and append

  /** Plans the buffer around the playhead; evicts, and reads the next file the plan names (one at a time). */
  private pump = (): void => {
    if (this.destroyed || this.fatal || this.sink.isStopped || !this.loaded && this.model.segments.length === 0) return;
    const buffered = this.sink.buffered();
    if (this.sink.backlog === 0) this.removing = false; // nothing queued: no remove is running
    if (this.sink.backlog === 0 && !this.fetching) {
      for (const file of staleAppended(this.model, this.frames, this.appended, buffered)) this.appended.delete(file);
    }
    const plan = this.plan(buffered);
    this.keepStart = plan.keep.start;
    if (!this.removing && plan.evict.length > 0 && this.sink.backlog === 0) {
      for (const file of plan.evictFiles) this.appended.delete(file);
      for (const r of plan.evict) this.sink.remove(r.start, r.end);
      this.removing = true;
    }
    if (this.fetching || this.sink.backlog >= MAX_BACKLOG) return;
    let next = plan.fetch[0];
    let tailOnly = false;
    if (!next) {
      // out of the window, the newest segment of a live recording is still read for its frames,
      // so the timeline and the span grow with the recording
      const newest = this.model.segments[this.model.segments.length - 1];
      if (!newest || !this.growing.has(newest.file)) return;
      next = newest;
      tailOnly = true;
    }
    this.fetching = true;
    void this.read(next.index, tailOnly).finally(() => {
      this.fetching = false;
      if (!this.destroyed) this.pump();
    });
  };

  /** The buffer plan for the playhead now (see buffer-plan.ts). */
  private plan(buffered = this.sink.buffered()): BufferPlan {
    return planBuffer({
      model: this.model,
      frames: this.frames,
      playhead: this.video.currentTime,
      rate: this.video.playbackRate,
      appended: this.appended,
      growing: this.growing,
      buffered,
      window: this.window,
    });
  }

  /**
   * Reads segment `index` (its init segment first when needed) and appends what is new.
   * `tailOnly`: read what is new of a segment outside the window for its frames only (it
   * is appended only if it already was).
   */
  private async read(index: number, tailOnly = false): Promise<void> {
    const generation = this.generation;
    const s = this.model.segments[index]!;
    const append = !tailOnly || this.appended.has(s.file);
    // appended files are read on from their byte count; a file read only for its frames too
    // unless it is to be appended now (then from byte 0: its earlier bytes are not in the SourceBuffer)
    const incremental = this.appended.has(s.file) || (tailOnly && this.frames.has(s.file));
    const known = incremental ? this.frames.get(s.file) : undefined;
    const fromByte = known?.bytes ?? 0;
    try {
      const init = await this.initFor(s.init);
      const bytes = await this.source.file(s.file, fromByte);
      this.reads++;
      this.bytesRead += bytes.length;
      if (this.destroyed) return;
      // a seek came in between: append it only if the new position needs it too
      if (append && generation !== this.generation && !this.plan().fetch.some((f) => f.file === s.file)) return;
      this.growing.delete(s.file);
      const split = splitFragments(bytes);
      if (split.error) this.report(playerError('muxError', 'fragParsingError', false, `${s.file}: ${split.error}`));
      const frames = framesOf(split.fragments, init.info.timescale, s.offset);
      // read after the index closed the segment: the file is whole (the server closes a segment
      // in its index only once the segment's last fragment is written)
      const complete = s.endMs !== null && !split.error;
      this.frames.set(s.file, { frames: [...(known?.frames ?? []), ...frames], bytes: fromByte + split.consumed, complete });
      if (split.consumed > 0 && append) {
        if (this.lastInit !== s.init) {
          this.sink.appendInit(init.bytes, init.info, { kind: 'init', file: s.init });
          this.lastInit = s.init;
        }
        if (this.lastOffset !== s.offset) {
          this.sink.setTimestampOffset(s.offset);
          this.lastOffset = s.offset;
        }
        this.sink.appendMedia(bytes.subarray(0, split.consumed), { kind: 'media', file: s.file });
      }
      if (append) this.appended.add(s.file);
      this.ensureDuration(0);
      if (this.pendingWallSeek !== null) {
        const ms = this.pendingWallSeek;
        const target = wallClockTarget(this.model, this.frames, ms);
        if (target.kind !== 'empty' && target.segment === index) {
          this.pendingWallSeek = null;
          if (Math.abs(target.mediaTime - this.video.currentTime) > 1e-3) this.moveTo(target.mediaTime);
        }
      }
      this.failures = 0;
    } catch (err) {
      this.report(playerError('networkError', 'serverError', false, `${s.file}: ${errorMessage(err)}`));
      // back off: 1 s, doubling to 10 s
      const delay = Math.min(10_000, 1000 * 2 ** this.failures++);
      await new Promise<void>((resolve) => (this.retryTimer = setTimeout(resolve, delay)));
    }
  }

  private async initFor(file: string): Promise<{ bytes: Uint8Array; info: InitSegmentInfo }> {
    const cached = this.inits.get(file);
    if (cached) return cached;
    const bytes = await this.source.file(file, 0);
    const init = { bytes, info: parseInitSegment(bytes) };
    this.inits.set(file, init);
    return init;
  }

  private afterAppend(): void {
    this.tick();
  }

  /**
   * Keeps MediaSource.duration at least {@link DURATION_HEADROOM} past the recording's end
   * as known, so any position in it can be sought before its segment is appended (the
   * element clamps a seek to the duration; the newest segment's end is only known once it
   * is read). The end of the recording is detected from the index, not from `ended`.
   */
  private ensureDuration(atLeast: number): void {
    const end = Math.max(recordingMediaEnd(this.model, this.frames), atLeast);
    if (end + DURATION_HEADROOM / 2 > this.lastDuration) {
      this.lastDuration = end + DURATION_HEADROOM;
      this.sink.setDuration(this.lastDuration);
    }
  }

  private forgetAppended(): void {
    this.appended.clear();
    this.lastInit = null;
    this.lastOffset = null;
    this.removing = false;
  }

  // -------------------------------------------------------------------------
  // Playback

  /** Hole skipping, end detection, buffer planning; then a snapshot. */
  private readonly tick = (): void => {
    if (this.destroyed || !this.loaded) return;
    const v = this.video;
    if (this.watchProgress()) return;
    if (!v.seeking && this.model.segments.length > 0 && this.pendingWallSeek === null) {
      const stalled = !v.paused && v.readyState < HTMLMediaElement.HAVE_FUTURE_DATA;
      // the frame on screen (requestVideoFrameCallback) can be ahead of currentTime when the clock stalls
      const t = Math.max(v.currentTime, this.displayedTime());
      const check = checkStall(this.model, this.frames, t, this.sink.buffered(), stalled);
      if (check.kind === 'hole' || check.kind === 'before') {
        if (check.kind === 'hole') this.lastHole = { hole: check.hole, atMs: Date.now() };
        this.seekToMedia(check.to);
        return;
      }
      const last = this.model.segments[this.model.segments.length - 1]!;
      const lastRead = this.frames.has(last.file) && !this.growing.has(last.file);
      if (check.kind === 'end' && lastRead && !v.paused) {
        this.ended = true;
        this.userPaused = true;
        v.pause();
      }
    }
    if (!this.userPaused && v.paused && !this.ended && this.sink.buffered().length > 0) void v.play().catch(() => undefined);
    this.pump();
    this.publish();
  };

  /**
   * The watchdog: playback that stands still with its media buffered ({@link isPlaybackStuck})
   * is seeked again to where it stands (also a seek made while paused). Paused and not seeking,
   * ended, or waiting for a wall-clock seek's frames counts as progress; so does a frame
   * presented after its seek (as on the live player).
   * @returns true when it seeked
   */
  private watchProgress(): boolean {
    const v = this.video;
    const now = performance.now();
    const key = this.progressMark();
    if (key !== this.progressKey || (v.paused && !v.seeking) || this.ended || this.pendingWallSeek !== null) {
      if (key !== this.progressKey) this.stuckInRow = 0;
      this.progressKey = key;
      this.lastProgressAt = now;
      return false;
    }
    const t = v.seeking ? v.currentTime : this.displayedTime();
    const stalled = !v.paused && v.readyState < HTMLMediaElement.HAVE_FUTURE_DATA;
    if (!isPlaybackStuck({ seeking: v.seeking, stalled, t, buffered: this.sink.buffered(), sinceProgressMs: now - this.lastProgressAt, stuckInRow: this.stuckInRow })) return false;
    this.stuckSeeks++;
    this.stuckInRow++;
    this.lastProgressAt = now;
    this.moveTo(t);
    this.progressKey = this.progressMark(); // the watchdog's own seek is not progress: its wait doubles
    return true;
  }

  /** What progress changes: the position and the frame on screen. */
  private progressMark(): string {
    return `${this.video.currentTime}|${this.shownMediaTime}`;
  }

  private readonly onSeeking = (): void => {
    this.shownMediaTime = null;
  };

  /** Media time of the frame on screen: requestVideoFrameCallback's, else currentTime. */
  private displayedTime(): number {
    return this.shownMediaTime !== null && !this.video.seeking ? this.shownMediaTime : this.video.currentTime;
  }

  private watchFrames(): void {
    if (!('requestVideoFrameCallback' in HTMLVideoElement.prototype)) return;
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata): void => {
      if (this.destroyed) return;
      this.shownMediaTime = meta.mediaTime;
      this.rvfcHandle = this.video.requestVideoFrameCallback(onFrame);
      this.publish();
    };
    this.rvfcHandle = this.video.requestVideoFrameCallback(onFrame);
  }

  private state(): ReviewState {
    if (this.fatal) return 'error';
    if (!this.loaded) return 'loading';
    if (this.model.segments.length === 0) return 'empty';
    if (this.ended) return 'ended';
    if (this.userPaused) return 'paused';
    const v = this.video;
    if (this.model.live && v.currentTime >= recordingMediaEnd(this.model, this.frames) - 0.3) return 'live-edge';
    if (v.readyState < HTMLMediaElement.HAVE_FUTURE_DATA) return 'buffering';
    return 'playing';
  }

  private publish(): void {
    if (!this.options.onChange || this.destroyed) return;
    const s = this.snapshot();
    try {
      this.options.onChange(s);
    } catch {
      // a failing listener must not break the player
    }
  }

  // -------------------------------------------------------------------------
  // Errors

  private report(error: PlayerError): void {
    keepError(this.errors, error);
    this.publish();
  }

  /** A fatal MSE error: rebuild the MediaSource and append around the playhead again (at most 3 times a minute). */
  private onFatal(error: PlayerError, recoverable: boolean): void {
    this.report(error);
    if (!recoverable || !this.recoveryBudget.take(Date.now())) {
      this.fatal = error;
      this.publish();
      return;
    }
    const position = this.video.currentTime;
    queueMicrotask(() => {
      if (this.destroyed) return;
      this.sink.reopen();
      this.forgetAppended();
      this.lastDuration = 0;
      this.seekToMedia(position);
      if (!this.userPaused) void this.video.play().catch(() => undefined);
    });
  }
}
