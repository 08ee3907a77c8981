import { Observable, Subject, concatMap, from, map, share } from 'rxjs';
import type { StopMessage, StopReason, StreamSummary } from '@vigil/protocol';
import { InitUnit, MediaUnit, TICKS_PER_SECOND } from './media-unit';
import { JoinPoint, SegmentBuffer } from './segment-buffer';
import { KeyframeReason, KeyframeRequester } from './keyframe-requester';
import { Viewer } from './viewer';
import { BufferBudget } from './buffer-budget';

/** Control messages the relay sends to the connected Sentinel. */
export type SentinelControl =
  | { type: 'keyframe'; reason: KeyframeReason }
  | { type: 'set-fps'; fps: number; reason: 'admin' | 'load' }
  | StopMessage;

/** The Sentinel side of a stream, as the relay sees it. */
export interface SentinelControlLink {
  sendControl(message: SentinelControl): void;
}

/** Where the pipeline writes every unit before acknowledging it (see recording/). */
export interface UnitWriter {
  /** Resolves once the unit is durably written. Units arrive one at a time, in order. */
  write(unit: MediaUnit): Promise<void>;
}

/** What a recording on disk already holds (see recording/). */
export interface StreamResume {
  /** Highest sequence number complete on disk. */
  lastSequence: number;
  /** The newest init segment, rebuilt as a unit on this stream's channel, or null. */
  init: InitUnit | null;
  /** `tfdt` of the last fragment on disk, 90 kHz ticks, or -1. */
  lastDecodeTime: number;
}

/** Who and what a stream is: fixed at creation. */
export interface StreamIdentity {
  readonly streamId: string;
  readonly examId: string;
  readonly seatId: string;
  readonly encoder: string;
  readonly userAgent: string;
  readonly startedAtMs: number;
}

/** Relay tunables for one stream (from VigilConfig). */
export interface LiveStreamOptions {
  bufferSeconds: number;
  bufferStreamBytes: number;
  joinMaxAgeSeconds: number;
  keyframeMinIntervalMs: number;
  fps: number;
}

/**
 * One Sentinel capture, from first connect to end; survives reconnects.
 *
 * The segment pipeline: {@link ingest} pushes each validated unit into
 * `units$`; two consumers hang off it:
 *  - memory and live relay (synchronous): the {@link SegmentBuffer} and every {@link Viewer};
 *  - disk then acknowledgement: `concatMap` through the {@link UnitWriter}, in order,
 *    emitting each durably written sequence number on `acks$`.
 */
export class LiveStream {
  readonly buffer: SegmentBuffer;
  readonly keyframes: KeyframeRequester;
  private readonly viewers = new Set<Viewer>();
  private readonly units = new Subject<MediaUnit>();
  private sentinel: SentinelControlLink | null = null;
  private stateValue: StreamSummary['state'] = 'live';
  private stopReasonValue: StopReason | null = null;
  private readonly changed = new Subject<void>();
  private readonly joinMaxAgeTicks: number;

  /** Highest sequence number received (accepted into the pipeline). 0 = none. */
  lastReceivedSequence = 0;
  /** Highest sequence number durably written. 0 = none. */
  lastAckedSequence = 0;
  /** `tfdt` of the newest fragment, 90 kHz ticks; -1 after an init segment or when none. */
  lastDecodeTime = -1;
  /** The Sentinel's latest `status` report, with reception time. */
  lastStatus: (Record<string, unknown> & { atMs: number }) | null = null;
  /** Requested frame rate, fps. */
  fps: number;
  bytesReceived = 0;
  lastFragmentAtMs: number | null = null;
  /** Frame rate measured from the last fragment's duration, fps. */
  measuredFps = 0;
  private bitrateWindow: { atMs: number; bytes: number }[] = [];

  /** Sequence numbers as they become durable on disk (hot: subscribe before ingesting). */
  readonly acks$: Observable<number>;
  /** Emits whenever the summary may have changed (state, viewers, size). */
  readonly changed$ = this.changed.asObservable();
  private readonly controlSent = new Subject<SentinelControl>();
  /** Every control message sent to the Sentinel (for the stream's event log). */
  readonly controlSent$ = this.controlSent.asObservable();
  /** Every accepted unit, in order. */
  readonly units$ = this.units.asObservable();

  constructor(
    readonly identity: StreamIdentity,
    /** Channel number used for this stream on every Proctor connection (shared buffers). */
    readonly channel: number,
    options: LiveStreamOptions,
    writer: UnitWriter,
    private readonly budget: BufferBudget,
  ) {
    this.joinMaxAgeTicks = Math.round(options.joinMaxAgeSeconds * TICKS_PER_SECOND);
    this.buffer = new SegmentBuffer(options.bufferSeconds, options.bufferStreamBytes);
    this.fps = options.fps;
    this.keyframes = new KeyframeRequester(options.keyframeMinIntervalMs, (reason) => {
      if (!this.sentinel) return false;
      this.sentinel.sendControl({ type: 'keyframe', reason });
      this.controlSent.next({ type: 'keyframe', reason });
      return true;
    });
    this.acks$ = this.units.pipe(
      concatMap((unit) => from(writer.write(unit)).pipe(map(() => unit.sequence))),
      share(),
    );
    this.acks$.subscribe({
      next: (sequence) => (this.lastAckedSequence = sequence),
      error: () => undefined, // reported by the session that owns the socket
    });
  }

  get streamId(): string {
    return this.identity.streamId;
  }

  get state(): StreamSummary['state'] {
    return this.stateValue;
  }

  /** Why the server stopped this stream (the `stop` it was ended with), or null. */
  get stopReason(): StopReason | null {
    return this.stopReasonValue;
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  get hasSentinel(): boolean {
    return this.sentinel !== null;
  }

  /**
   * Continues a recording found on disk (the server restarted while the Sentinel kept
   * its unacknowledged queue): sequence numbers and the init segment pick up from there.
   * Call before the first {@link ingest}.
   */
  restore(resume: StreamResume): void {
    this.lastReceivedSequence = resume.lastSequence;
    this.lastAckedSequence = resume.lastSequence;
    this.lastDecodeTime = resume.lastDecodeTime;
    if (resume.init) this.buffer.setInit(resume.init);
  }

  /** Binds the Sentinel's control link (on hello); a previous link is replaced. */
  attachSentinel(link: SentinelControlLink): void {
    this.sentinel = link;
    this.stateValue = 'live';
    this.keyframes.reset();
    this.changed.next();
  }

  /** Unbinds the link if it is still the current one (socket closed). */
  detachSentinel(link: SentinelControlLink): void {
    if (this.sentinel !== link) return;
    this.sentinel = null;
    if (this.stateValue === 'live') this.stateValue = 'disconnected';
    this.changed.next();
  }

  /**
   * Marks the stream ended: viewers are told by their sessions, memory is freed. Idempotent.
   * With `stop`, a connected Sentinel is sent it (it stops capturing and does not reconnect;
   * its session closes the socket); without, a connected Sentinel is left to reconnect and
   * resume (server shutdown).
   */
  end(stop?: StopMessage): void {
    if (this.stateValue === 'ended') return;
    this.stateValue = 'ended';
    this.stopReasonValue = stop?.reason ?? null;
    if (stop) this.sentinel?.sendControl(stop);
    this.sentinel = null;
    this.budget.adjust(-this.buffer.clear());
    this.units.complete();
    this.controlSent.complete();
    this.changed.next();
    this.changed.complete();
  }

  /**
   * Accepts one validated unit (sequence = lastReceivedSequence + 1) into the pipeline.
   * @throws Error when the stream has ended or the sequence number is not the next one
   */
  ingest(unit: MediaUnit): void {
    if (this.stateValue === 'ended') throw new Error(`stream ${this.streamId} has ended`);
    if (unit.sequence !== this.lastReceivedSequence + 1) {
      throw new Error(`expected sequence ${this.lastReceivedSequence + 1}, got ${unit.sequence}`);
    }
    this.lastReceivedSequence = unit.sequence;
    const size = unit.message.byteLength;
    this.bytesReceived += size;
    const bufferedBefore = this.buffer.bytes;
    if (unit.kind === 'init') {
      this.buffer.setInit(unit);
      this.lastDecodeTime = -1;
    } else {
      this.buffer.append(unit);
      this.lastDecodeTime = unit.decodeTime;
      this.lastFragmentAtMs = unit.receivedAtMs;
      if (unit.duration > 0) this.measuredFps = Math.round((TICKS_PER_SECOND / unit.duration) * 100) / 100;
      this.recordBitrate(unit.receivedAtMs, size);
      if (unit.join) this.keyframes.handleJoinFragment();
    }
    this.budget.adjust(this.buffer.bytes - bufferedBefore);
    for (const viewer of this.viewers) {
      try {
        viewer.handleUnit(unit);
      } catch {
        // one broken viewer socket must not stall the others; its session cleans up on close
      }
    }
    this.units.next(unit);
  }

  /**
   * Adds a viewer and starts it per DESIGN.md Join flow: init + fragments from the
   * newest join fragment when it is fresh enough; otherwise the viewer waits for the
   * next join fragment and one coalesced keyframe request goes to the Sentinel.
   * @returns whether a keyframe was (or already is being) requested for this viewer
   */
  addViewer(viewer: Viewer, nowMs: number): { waitingForKeyframe: boolean } {
    this.viewers.add(viewer);
    const join: JoinPoint | null = this.buffer.joinPoint();
    const fresh = join !== null && join.ageTicks <= this.joinMaxAgeTicks;
    if (fresh) {
      viewer.start(join.init, join.fragments);
    } else {
      viewer.start(this.buffer.init, []);
      this.keyframes.request('viewer-join', nowMs);
    }
    this.changed.next();
    return { waitingForKeyframe: !fresh };
  }

  removeViewer(viewer: Viewer): void {
    if (this.viewers.delete(viewer)) this.changed.next();
  }

  /** Admin/REST: ask for an IDR now. @returns false when no Sentinel is connected */
  requestKeyframe(reason: KeyframeReason, nowMs: number): boolean {
    if (!this.sentinel) return false;
    this.keyframes.request(reason, nowMs);
    return true;
  }

  /**
   * Sets the frame rate (0.2..5 fps, validated by the caller's schema).
   * @returns false when no Sentinel is connected (the value still applies on reconnect)
   */
  setFps(fps: number, reason: 'admin' | 'load'): boolean {
    this.fps = fps;
    this.changed.next();
    if (!this.sentinel) return false;
    this.sentinel.sendControl({ type: 'set-fps', fps, reason });
    this.controlSent.next({ type: 'set-fps', fps, reason });
    return true;
  }

  /** Snapshot for lists and the REST API. */
  summary(nowMs: number): StreamSummary {
    const init = this.buffer.init;
    return {
      streamId: this.identity.streamId,
      examId: this.identity.examId,
      seatId: this.identity.seatId,
      state: this.stateValue,
      encoder: this.identity.encoder,
      codec: init?.codec ?? null,
      width: init?.width ?? 0,
      height: init?.height ?? 0,
      fps: this.fps,
      startedAtMs: this.identity.startedAtMs,
      lastFragmentAtMs: this.lastFragmentAtMs,
      bytesReceived: this.bytesReceived,
      bitrateBps: this.bitrate(nowMs),
      viewers: this.viewers.size,
    };
  }

  /** Frees memory when the global budget is exceeded. @returns bytes freed */
  evictOldestSegment(): number {
    const freed = this.buffer.evictOldest();
    this.budget.adjust(-freed);
    return freed;
  }

  private recordBitrate(atMs: number, bytes: number): void {
    this.bitrateWindow.push({ atMs, bytes });
    while (this.bitrateWindow.length > 0 && this.bitrateWindow[0].atMs < atMs - 10_000) this.bitrateWindow.shift();
  }

  /** Bits per second over the last 10 s of wall clock. */
  private bitrate(nowMs: number): number {
    const recent = this.bitrateWindow.filter((s) => s.atMs >= nowMs - 10_000);
    if (recent.length < 2) return 0;
    const bytes = recent.reduce((sum, s) => sum + s.bytes, 0);
    const spanMs = Math.max(1000, nowMs - recent[0].atMs);
    return Math.round((bytes * 8 * 1000) / spanMs);
  }
}
