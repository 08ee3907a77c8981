/**
 * MediaSourceSink: the MSE plumbing both players share. It owns one MediaSource
 * attached to a `<video>` element and its one SourceBuffer behind a
 * {@link SourceBufferQueue}, and takes init segments the way `codec.ts` plans
 * them (`addSourceBuffer`, append, `changeType()`, or a new MediaSource where
 * `changeType()` is missing). What to append and where to play is the owner's
 * business: the live player ({@link MsePlayer}, live-edge policy) and the
 * recording review player (`review/review-player.ts`, segment files fetched
 * around the playhead).
 *
 * Specs: W3C Media Source Extensions (https://www.w3.org/TR/media-source-2/):
 * MediaSource (`sourceopen`, `addSourceBuffer()`, `isTypeSupported()`,
 * `duration`), SourceBuffer (`mode`, `timestampOffset`, `changeType()`).
 *
 * Operations given before `sourceopen` are held and run in order once the
 * MediaSource opens. Errors are events ({@link PlayerError}), never thrown: a
 * fatal one stops the sink until the owner calls {@link MediaSourceSink.reopen}.
 */
import type { InitSegmentInfo } from '@vigil/fmp4';
import { mimeTypeFor, planInitSegment, type TrackFormat } from './codec';
import { toRanges, type BufferedRange } from './live-edge';
import { errorMessage, playerError, type PlayerError } from './player-events';
import { SourceBufferQueue, type QueueEvent, type TimeRange } from './source-buffer-queue';

/** Options of {@link MediaSourceSink}; `T` is the owner's tag of an append. */
export interface MediaSourceSinkOptions<T> {
  /**
   * Every queue event except fatal errors: `appended`, `removed`, `dropped`,
   * `typeChanged`, and non-fatal errors (buffer full and evicted, a failed remove).
   */
  onQueueEvent(event: QueueEvent<T>): void;
  /**
   * A fatal error (the SourceBuffer or the element failed, or the codec is not
   * supported when `recoverable` is false). The sink stays stopped until
   * {@link MediaSourceSink.reopen}.
   */
  onFatal(error: PlayerError, recoverable: boolean): void;
  /** The range to evict when an append hits QuotaExceededError, seconds of media time, or null. */
  evictionRange(): TimeRange | null;
  /**
   * The MediaSource was replaced by a new, empty one because an init segment
   * changed codec or size and this browser has no `changeType()`: everything
   * appended before is gone (the new init segment is appended first).
   */
  onRecreated?(): void;
}

/** How an init segment was taken (see {@link planInitSegment}). */
export type InitResult = 'create' | 'append' | 'changeType' | 'recreate' | 'failed';

/** See the file comment. */
export class MediaSourceSink<T> {
  private mediaSource: MediaSource | null = null;
  private objectUrl: string | null = null;
  private sourceBuffer: SourceBuffer | null = null;
  private queue: SourceBufferQueue<T> | null = null;
  /** Operations given before `sourceopen`, run in order once it fires. */
  private pending: Array<() => void> = [];
  private currentFormat: TrackFormat | null = null;
  private currentTimescale = 90000;
  private stopped = false;
  private destroyed = false;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly options: MediaSourceSinkOptions<T>,
  ) {
    video.addEventListener('error', this.onVideoError);
  }

  /** Format (codec, picture size) of the init segment in force, or null before the first. */
  get format(): TrackFormat | null {
    return this.currentFormat;
  }

  /** `mdhd` timescale of the init segment in force, ticks per second (90000 in Vigil). */
  get timescale(): number {
    return this.currentTimescale;
  }

  /** True once a SourceBuffer exists (an init segment was taken). */
  get hasSourceBuffer(): boolean {
    return this.queue !== null;
  }

  /** Operations waiting or running (queued in the SourceBufferQueue or held before `sourceopen`). */
  get backlog(): number {
    return (this.queue?.length ?? 0) + this.pending.length;
  }

  /** True after a fatal error, until {@link reopen}. */
  get isStopped(): boolean {
    return this.stopped || this.destroyed;
  }

  /** The SourceBuffer's buffered ranges, seconds of media time (empty without a SourceBuffer). */
  buffered(): BufferedRange[] {
    const sb = this.sourceBuffer;
    if (!sb || this.mediaSource?.readyState === 'closed') return [];
    try {
      return toRanges(sb.buffered);
    } catch {
      return []; // InvalidStateError: the SourceBuffer was removed from its MediaSource
    }
  }

  /**
   * Creates a MediaSource and attaches it to the element (`video.src` = an object URL).
   * Call once; {@link reopen} replaces it.
   */
  open(): void {
    if (this.destroyed) return;
    if (typeof MediaSource === 'undefined') {
      this.fatal(playerError('mediaError', 'codecUnsupported', true, 'this browser has no Media Source Extensions'), false);
      return;
    }
    const ms = new MediaSource();
    this.mediaSource = ms;
    ms.addEventListener('sourceopen', this.flushPending, { once: true });
    this.objectUrl = URL.createObjectURL(ms);
    this.video.src = this.objectUrl;
  }

  /** Detaches and drops the MediaSource and everything appended, then opens a new one (after a fatal error). */
  reopen(): void {
    if (this.destroyed) return;
    this.close();
    this.stopped = false;
    this.open();
  }

  /**
   * Takes an init segment (`ftyp` + `moov`): creates the SourceBuffer for its
   * codec, or reconfigures it with `changeType()` when codec or size changed,
   * then appends it. Without `changeType()` a change rebuilds the MediaSource
   * ({@link MediaSourceSinkOptions.onRecreated}) with this init segment first.
   * @returns the plan taken; `failed` when the codec is unsupported or `addSourceBuffer()` threw (reported fatal)
   */
  appendInit(bytes: Uint8Array, info: InitSegmentInfo, tag: T): InitResult {
    if (this.isStopped) return 'failed';
    if (!this.isOpen()) {
      this.pending.push(() => void this.appendInit(bytes, info, tag));
      return this.planFor(info);
    }
    const next: TrackFormat = { codec: info.codec, width: info.width, height: info.height };
    const mimeType = mimeTypeFor(next);
    const plan = this.planFor(info);
    if (plan !== 'append' && !MediaSource.isTypeSupported(mimeType)) {
      this.fatal(playerError('mediaError', 'codecUnsupported', true, `MediaSource.isTypeSupported('${mimeType}') is false`), false);
      return 'failed';
    }
    switch (plan) {
      case 'create':
        try {
          const sb = this.mediaSource!.addSourceBuffer(mimeType);
          // 'segments' mode: the fragments' tfdt (+ timestampOffset) places each frame (MSE AppendMode "segments").
          sb.mode = 'segments';
          this.sourceBuffer = sb;
          this.queue = new SourceBufferQueue<T>(sb, {
            onEvent: (e) => this.onQueueEvent(e),
            evictionRange: () => this.options.evictionRange(),
          });
        } catch (err) {
          this.fatal(playerError('mediaError', 'bufferAddCodecError', true, `addSourceBuffer('${mimeType}'): ${errorMessage(err)}`), true);
          return 'failed';
        }
        break;
      case 'changeType':
        this.queue!.changeType(mimeType);
        break;
      case 'recreate':
        this.close();
        this.open();
        this.pending.push(() => void this.appendInit(bytes, info, tag));
        safe(() => this.options.onRecreated?.());
        return 'recreate';
      case 'append':
        break;
    }
    this.currentFormat = next;
    this.currentTimescale = info.timescale;
    this.queue!.append(bytes, tag);
    return plan;
  }

  /**
   * Queues a media segment or fragment (`moof` + `mdat`, with `prft`).
   * @returns false when there is no SourceBuffer yet (no init segment taken): nothing queued
   */
  appendMedia(bytes: Uint8Array, tag: T): boolean {
    if (this.isStopped) return false;
    if (!this.isOpen()) {
      if (this.pending.length === 0 && !this.queue) return false;
      this.pending.push(() => void this.appendMedia(bytes, tag));
      return true;
    }
    if (!this.queue) return false;
    this.queue.append(bytes, tag);
    return true;
  }

  /** Queues `SourceBuffer.remove(start, end)`, seconds of media time. */
  remove(start: number, end: number): void {
    if (this.isStopped) return;
    if (!this.isOpen()) {
      this.pending.push(() => this.remove(start, end));
      return;
    }
    this.queue?.remove(start, end);
  }

  /**
   * Queues `SourceBuffer.timestampOffset = seconds`: media segments appended after it are
   * placed at their `tfdt` / timescale + `seconds` (MSE "coded frame processing").
   */
  setTimestampOffset(seconds: number): void {
    this.exclusive(`timestampOffset = ${seconds}`, () => {
      if (this.sourceBuffer && this.sourceBuffer.timestampOffset !== seconds) this.sourceBuffer.timestampOffset = seconds;
    });
  }

  /**
   * Queues `MediaSource.duration = seconds` (media time), never below the buffered end
   * (MSE throws InvalidStateError for that). The element can seek anywhere in
   * `[0, duration]` before the data there is appended and waits for it.
   */
  setDuration(seconds: number): void {
    this.exclusive(`duration = ${seconds}`, () => {
      const ms = this.mediaSource;
      if (!ms || ms.readyState !== 'open') return;
      const end = this.buffered().reduce((m, r) => Math.max(m, r.end), 0);
      const value = Math.max(seconds, end);
      if (!(Number.isFinite(ms.duration) && Math.abs(ms.duration - value) < 1e-3)) ms.duration = value;
    });
  }

  /** Drops the operations that have not started yet (a seek makes them pointless). */
  clearPending(): void {
    this.queue?.clear();
    this.pending = [];
  }

  /** Stops and detaches from the element. Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.video.removeEventListener('error', this.onVideoError);
    this.close();
  }

  private exclusive(name: string, run: () => void): void {
    if (this.isStopped) return;
    if (!this.isOpen()) {
      this.pending.push(() => this.exclusive(name, run));
      return;
    }
    if (this.queue) this.queue.exclusive(name, run);
    else safe(run);
  }

  private planFor(info: InitSegmentInfo): ReturnType<typeof planInitSegment> {
    const canChangeType = typeof SourceBuffer !== 'undefined' && typeof SourceBuffer.prototype.changeType === 'function';
    return planInitSegment(this.currentFormat, { codec: info.codec, width: info.width, height: info.height }, canChangeType);
  }

  private isOpen(): boolean {
    return this.mediaSource?.readyState === 'open' && this.pending.length === 0;
  }

  private close(): void {
    this.queue?.destroy();
    this.queue = null;
    this.sourceBuffer = null;
    this.mediaSource?.removeEventListener('sourceopen', this.flushPending);
    this.mediaSource = null;
    this.pending = [];
    this.currentFormat = null;
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
    this.objectUrl = null;
    this.video.removeAttribute('src');
    this.video.load();
  }

  private readonly flushPending = (): void => {
    if (this.mediaSource?.readyState !== 'open') return;
    const pending = this.pending;
    this.pending = [];
    for (const op of pending) {
      if (this.isStopped) return;
      op();
    }
  };

  private onQueueEvent(e: QueueEvent<T>): void {
    if (e.type === 'error' && e.error.fatal) {
      this.fatal(e.error, true);
      return;
    }
    safe(() => this.options.onQueueEvent(e));
  }

  private readonly onVideoError = (): void => {
    const err = this.video.error;
    if (!err || this.destroyed || !this.mediaSource) return;
    this.fatal(playerError('mediaError', 'mediaDecodeError', true, `MediaError ${err.code}: ${err.message || 'decode error'}`), true);
  };

  private fatal(error: PlayerError, recoverable: boolean): void {
    if (this.stopped) return;
    this.stopped = true;
    safe(() => this.options.onFatal(error, recoverable));
  }
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch {
    // a failing listener must not break the sink
  }
}
