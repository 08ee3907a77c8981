import { Observable, Subject, filter, map, share, takeUntil, timer } from 'rxjs';
import type { GapReason, StatusMessage, StopMessage, StopReason, StreamSummary } from '@vigil/protocol';
import { FragmentUnit, InitUnit, MediaUnit, TICKS_PER_SECOND } from './media-unit';
import { SegmentBuffer } from './segment-buffer';
import type { KeyframeReason, SetFpsReason } from '@vigil/protocol';
import { KeyframeRequester } from './keyframe-requester';
import { demandedRate } from './fps-demand';
import { DEFAULT_LOAD_SHEDDING, loadCapFps, watchedAs, type ShedLevel, type WatchedAs } from './load-shedding';
import { Viewer } from './viewer';
import { writeInOrder } from './write-in-order';
import { BufferBudget } from './buffer-budget';
import type { ChunkPool } from './chunk-pool';
import { RelayTotals, StreamStats } from '../stats/relay-stats';
import { SentinelStatus } from './sentinel-status';

/** Control messages the relay sends to the connected Sentinel. */
export type SentinelControl =
  | { type: 'keyframe'; reason: KeyframeReason }
  | { type: 'set-fps'; fps: number; reason: SetFpsReason }
  | StopMessage;

/** The Sentinel side of a stream, as the relay sees it. */
export interface SentinelControlLink {
  sendControl(message: SentinelControl): void;
  /** A newer connection took the stream over: close this one (its frames are no longer accepted). */
  replaced(): void;
  /**
   * The disk fell behind what was relayed (writes failed long enough to fill the pending-write
   * cap): reconnect the Sentinel so it resends from `lastAckedSequence + 1` out of its backlog.
   */
  resendFromAck(): void;
}

/** A hole in the recording, as written to the index (see recording-layout.ts). */
export interface GapRecord {
  /** The last sequence number before the hole. */
  afterSequence: number;
  /** First and last moment without frames, ms since the Unix epoch (capture clock). */
  fromMs: number;
  toMs: number;
  reason: GapReason;
  /** The Sentinel said so (`gap` message), or the server saw the capture clock jump. */
  source: 'sentinel' | 'server';
}

/**
 * Where the pipeline writes every unit before acknowledging it (see recording/).
 * Calls come one at a time, in order; after a rejection the same item is written again
 * (retry), so both methods must be idempotent for the item that failed.
 */
export interface UnitWriter {
  /** Resolves once the unit is durably written. */
  write(unit: MediaUnit): Promise<void>;
  /** Resolves once the gap is durably recorded. */
  writeGap(gap: GapRecord): Promise<void>;
}

/** Whether the recording keeps up with the stream. */
export type StorageState = 'ok' | 'storage-failed';

/** Delay before the n-th retry of a failed write (1-based), ms: 0.5 s doubling to 10 s. */
export function writeRetryDelayMs(attempt: number): number {
  return Math.min(10_000, 500 * 2 ** Math.min(5, attempt - 1));
}

/** Most bytes one stream may hold queued for the disk (written but not yet durable), default 64 MiB. */
export const DEFAULT_PENDING_WRITE_BYTES = 64 * 1024 * 1024;

type DiskItem = { kind: 'unit'; unit: MediaUnit } | { kind: 'gap'; gap: GapRecord };

/** What a recording on disk already holds (see recording/). */
export interface StreamResume {
  /** Highest sequence number complete on disk. */
  lastSequence: number;
  /** The newest init segment, rebuilt as a unit on this stream's channel, or null. */
  init: InitUnit | null;
  /** `tfdt` of the last fragment on disk, 90 kHz ticks, or -1. */
  lastDecodeTime: number;
}

/**
 * A jump of the capture clock (prft) past the previous fragment's end by more than this, ms,
 * with no Sentinel `gap` covering it, is recorded as a gap of unknown reason. The frame clock
 * repeats the last frame on a static screen, so a healthy stream never jumps by more than a
 * frame interval (5 s at 0.2 fps) plus encoder delay.
 */
export const MAX_UNEXPLAINED_JUMP_MS = 7_000;

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
  /** Base frame rate of a new stream, fps (the exam's rate replaces it: {@link LiveStream.setBaseFps}). */
  fps: number;
  /** Frame rate while a focused view watches, fps (default: the base rate, i.e. no change). */
  focusFps?: number;
  /** Most bytes queued for the disk per stream; past it units are not queued and the Sentinel resends them later (default 64 MiB). */
  pendingWriteBytes?: number;
  /** Retry delay after the n-th failed write, ms (default {@link writeRetryDelayMs}). */
  writeRetryDelayMs?: (attempt: number) => number;
  /** Process-wide counters and histograms the stream's statistics add to (default: the stream's own). */
  totals?: RelayTotals;
  /** A fragment older than this at arrival counts as backlog, ms (default 10 s; see stats/relay-stats.ts). */
  backlogAgeMs?: number;
  /** Server clock for ack latencies, ms since the Unix epoch (default Date.now). */
  clock?: () => number;
  /** Where the buffer keeps its copies of the fragments, shared by every stream (default: the stream's own pool). */
  chunkPool?: ChunkPool;
}

/**
 * One Sentinel capture, from first connect to end; survives reconnects.
 *
 * The segment pipeline: {@link ingest} pushes each validated unit into
 * `units$`; two consumers hang off it:
 *  - memory and live relay (synchronous): the {@link SegmentBuffer} and every {@link Viewer};
 *  - disk then acknowledgement: {@link writeInOrder} through the {@link UnitWriter}, in order,
 *    emitting each durably written sequence number on `acks$`.
 *
 * Storage faults: a failed write is retried (0.5 s doubling to 10 s) with the same unit until
 * it succeeds; meanwhile the stream is `storage-failed` (on `storage$` and in the summary),
 * nothing is acknowledged, and the live relay goes on. Units keep queueing for the disk up to
 * `pendingWriteBytes`; past that the disk cursor (`lastQueuedSequence`) stays behind the
 * relay cursor (`lastReceivedSequence`), and once the queue has drained the Sentinel is asked
 * to reconnect and resend from its last acknowledgement ({@link ingestForDisk} takes those
 * resent units for the disk only). Nothing is acknowledged that is not durable, and nothing
 * relayed is missing from the recording once storage works again.
 */
export class LiveStream {
  readonly buffer: SegmentBuffer;
  readonly keyframes: KeyframeRequester;
  private readonly viewers = new Set<Viewer>();
  private readonly units = new Subject<MediaUnit>();
  private readonly disk = new Subject<DiskItem>();
  private readonly abortWrites = new Subject<void>();
  private readonly storageChanged = new Subject<StorageState>();
  private storageValue: StorageState = 'ok';
  private readonly pendingWriteBytes: number;
  private pendingBytes = 0;
  private diskBehind = false;
  /** A unit was left out of the disk queue during the current Sentinel connection (it must resend). */
  private skippedOnThisLink = false;
  private diskInitUnit: InitUnit | null = null;
  private diskDecodeTime = -1;
  private drainedPromise: Promise<void>;
  private sentinel: SentinelControlLink | null = null;
  private stateValue: StreamSummary['state'] = 'live';
  private stopReasonValue: StopReason | null = null;
  private readonly changed = new Subject<void>();
  private readonly joinMaxAgeTicks: number;
  /**
   * The next live fragment is a join fragment (protocol: the first fragment after any init
   * segment is `JOIN`): nothing received yet on a new stream, or an init segment was the last
   * live unit. A viewer joining then waits for it without a keyframe request (issue 10: nearly
   * every join of a stream whose proctors subscribed before its first frame arrived cost a
   * second IDR: encoded, uploaded, unmasked, written to a new segment file and relayed).
   */
  private joinFragmentNext = true;

  /** Highest sequence number received (accepted into the pipeline). 0 = none. */
  lastReceivedSequence = 0;
  /** Highest sequence number durably written. 0 = none. */
  lastAckedSequence = 0;
  /** Highest sequence number handed to the disk stage (<= lastReceivedSequence). */
  lastQueuedSequence = 0;
  /** The last storage error (text), while `storage-failed`; null when ok. */
  storageError: string | null = null;
  /** Failed write attempts since the stream started. */
  writeFailures = 0;
  /** Capture time (prft) of the newest fragment plus its duration, ms; null when unknown. */
  private mediaEndMs: number | null = null;
  /** Capture time up to which a Sentinel `gap` already explains a hole, ms. */
  private gapCoveredUntilMs = 0;
  /** Gaps already recorded (`from/to/reason`), newest 1024. */
  private readonly recordedGaps = new Set<string>();
  /** `tfdt` of the newest fragment, 90 kHz ticks; -1 after an init segment or when none. */
  lastDecodeTime = -1;
  /** The Sentinel's latest `status` report, with reception time (one object, updated in place). */
  lastStatus: SentinelStatus | null = null;
  /** Requested frame rate, fps: {@link demandedRate} of the base rate, the viewers and an admin's rate. */
  fps: number;
  /** The exam's rate for this stream, fps. */
  private baseFps: number;
  /** An admin's rate for this stream, fps, or null (then viewers decide). */
  private fpsOverride: number | null = null;
  /** Load shedding's level, server-wide (`load-shedding.ts`); 0 = no cap. */
  private shedLevel: ShedLevel = 0;
  private shedFps = DEFAULT_LOAD_SHEDDING.shedFps;
  private loadCapped = false;
  private readonly focusFps: number;
  bytesReceived = 0;
  lastFragmentAtMs: number | null = null;
  /** Frame rate measured from the last fragment's duration, fps. */
  measuredFps = 0;
  /** Live statistics: bitrate, frame rate, fragment age, ack latency, backlog (O(1) per fragment). */
  readonly stats: StreamStats;
  private readonly clock: () => number;

  /** Sequence numbers as they become durable on disk (hot: subscribe before ingesting). */
  readonly acks$: Observable<number>;
  /** Emits whenever the summary may have changed (state, viewers, size). */
  readonly changed$ = this.changed.asObservable();
  private readonly controlSent = new Subject<SentinelControl>();
  /** Every control message sent to the Sentinel (for the stream's event log). */
  readonly controlSent$ = this.controlSent.asObservable();
  /** Every accepted unit, in order. */
  readonly units$ = this.units.asObservable();
  /** Storage state changes (`storage-failed` when a write fails, `ok` when one succeeds again). */
  readonly storage$ = this.storageChanged.asObservable();

  constructor(
    readonly identity: StreamIdentity,
    /** Channel number used for this stream on every Proctor connection (shared buffers). */
    readonly channel: number,
    options: LiveStreamOptions,
    writer: UnitWriter,
    private readonly budget: BufferBudget,
  ) {
    this.joinMaxAgeTicks = Math.round(options.joinMaxAgeSeconds * TICKS_PER_SECOND);
    this.buffer = new SegmentBuffer(options.bufferSeconds, options.bufferStreamBytes, options.chunkPool);
    this.fps = options.fps;
    this.baseFps = options.fps;
    this.focusFps = options.focusFps ?? options.fps;
    this.stats = new StreamStats(options.totals, options.backlogAgeMs);
    this.clock = options.clock ?? Date.now;
    this.keyframes = new KeyframeRequester(options.keyframeMinIntervalMs, (reason) => {
      if (!this.sentinel) return false;
      this.sentinel.sendControl({ type: 'keyframe', reason });
      this.controlSent.next({ type: 'keyframe', reason });
      return true;
    });
    this.pendingWriteBytes = options.pendingWriteBytes ?? DEFAULT_PENDING_WRITE_BYTES;
    const retryDelay = options.writeRetryDelayMs ?? writeRetryDelayMs;
    const written$ = this.disk.pipe(
      writeInOrder(
        (item) => (item.kind === 'unit' ? writer.write(item.unit) : writer.writeGap(item.gap)),
        (error, attempt) => {
          this.setStorage('storage-failed', error);
          return timer(retryDelay(attempt)).pipe(takeUntil(this.abortWrites));
        },
      ),
      share(),
    );
    this.acks$ = written$.pipe(
      filter((item): item is Extract<DiskItem, { kind: 'unit' }> => item.kind === 'unit'),
      map((item) => item.unit.sequence),
      share(),
    );
    this.drainedPromise = new Promise<void>((resolve) => {
      written$.subscribe({
        next: (item) => {
          if (this.storageValue !== 'ok') this.setStorage('ok', null);
          if (item.kind !== 'unit') return;
          this.stats.acked(item.unit.receivedAtMs, this.clock());
          this.lastAckedSequence = item.unit.sequence;
          this.pendingBytes -= item.unit.payload.byteLength;
          // ask for a resend only when this connection's units were left out: a connection that
          // is resending already (after welcome) must not be cut short
          if (this.pendingBytes === 0 && this.diskBehind && this.skippedOnThisLink && this.sentinel) {
            this.skippedOnThisLink = false;
            this.sentinel.resendFromAck();
          }
        },
        complete: resolve,
        error: () => resolve(), // not reached: writes are retried, never errored
      });
    });
  }

  /** Whether the recording keeps up: `storage-failed` while writes fail and are retried. */
  get storage(): StorageState {
    return this.storageValue;
  }

  /** Bytes queued for the disk and not yet durable. */
  get pendingWriteQueueBytes(): number {
    return this.pendingBytes;
  }

  /**
   * Resolves when every unit queued before {@link end} is durable, or once
   * {@link abandonWrites} gave up on them (server shutdown with storage still failing).
   */
  drained(): Promise<void> {
    return this.drainedPromise;
  }

  /** Stops retrying failed writes (shutdown): what is not durable stays unacknowledged, so the Sentinel keeps it. */
  abandonWrites(): void {
    this.abortWrites.next();
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

  /** The stream's viewers (for statistics). */
  get watchers(): ReadonlySet<Viewer> {
    return this.viewers;
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
    this.lastQueuedSequence = resume.lastSequence;
    this.lastDecodeTime = resume.lastDecodeTime;
    this.diskDecodeTime = resume.lastDecodeTime;
    this.diskInitUnit = resume.init;
    if (resume.init) this.buffer.setInit(resume.init);
    // a recording that ends with its init segment continues with a join fragment; else unknown
    this.joinFragmentNext = resume.lastSequence === 0 || resume.init?.sequence === resume.lastSequence;
  }

  /** The init segment in effect at the disk cursor (for validating resent fragments). */
  get diskInit(): InitUnit | null {
    return this.diskInitUnit;
  }

  /** `tfdt` of the last fragment queued for the disk, 90 kHz ticks, or -1. */
  get diskLastDecodeTime(): number {
    return this.diskDecodeTime;
  }

  /**
   * Binds the Sentinel's control link (on hello). A previous link is told it was
   * {@link SentinelControlLink.replaced} (its connection closes: one connection per stream).
   */
  attachSentinel(link: SentinelControlLink): void {
    const previous = this.sentinel;
    this.sentinel = link;
    this.skippedOnThisLink = false; // a new connection resends everything after the last ack
    if (previous && previous !== link) {
      try {
        previous.replaced();
      } catch {
        // the old socket is already gone
      }
    }
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
    this.keyframes.reset(); // no deferred keyframe request outlives the stream
    this.budget.adjust(-this.buffer.clear());
    this.units.complete();
    this.disk.complete();
    this.controlSent.complete();
    this.changed.next();
    this.changed.complete();
    this.storageChanged.complete();
  }

  /**
   * Accepts one validated unit (sequence = lastReceivedSequence + 1) into the pipeline:
   * memory, live relay, and the disk queue (unless the disk is behind, see the class comment).
   * @throws Error when the stream has ended or the sequence number is not the next one
   */
  ingest(unit: MediaUnit): void {
    if (this.stateValue === 'ended') throw new Error(`stream ${this.streamId} has ended`);
    if (unit.sequence !== this.lastReceivedSequence + 1) {
      throw new Error(`expected sequence ${this.lastReceivedSequence + 1}, got ${unit.sequence}`);
    }
    this.lastReceivedSequence = unit.sequence;
    if (unit.kind === 'fragment') this.noticeTimelineJump(unit);
    if (!this.diskBehind && unit.sequence === this.lastQueuedSequence + 1) this.queueForDisk(unit);
    else this.markSkipped();
    const size = unit.message.byteLength;
    this.bytesReceived += size;
    const bufferedBefore = this.buffer.bytes;
    this.joinFragmentNext = unit.kind === 'init';
    if (unit.kind === 'init') {
      this.buffer.setInit(unit);
      this.lastDecodeTime = -1;
      this.stats.initReceived(size);
    } else {
      this.buffer.append(unit);
      this.lastDecodeTime = unit.decodeTime;
      this.lastFragmentAtMs = unit.receivedAtMs;
      if (unit.duration > 0) this.measuredFps = Math.round((TICKS_PER_SECOND / unit.duration) * 100) / 100;
      this.stats.fragmentReceived(unit.receivedAtMs, size, unit.captureTimeMs, true);
      if (unit.join) this.keyframes.handleJoinFragment();
    }
    this.budget.adjust(this.buffer.bytes - bufferedBefore);
    const nowMs = this.clock(); // once per unit, not per viewer
    for (const viewer of this.viewers) {
      try {
        viewer.handleUnit(unit, nowMs);
      } catch {
        // one broken viewer socket must not stall the others; its session cleans up on close
      }
    }
    this.units.next(unit);
  }

  /**
   * Takes a unit the Sentinel resent after {@link SentinelControlLink.resendFromAck}: already
   * relayed live, not yet on disk (lastQueuedSequence < sequence <= lastReceivedSequence).
   * Goes to the disk queue only.
   * @throws Error when the stream has ended or the unit is not the disk cursor's next one
   */
  ingestForDisk(unit: MediaUnit): void {
    if (this.stateValue === 'ended') throw new Error(`stream ${this.streamId} has ended`);
    if (unit.sequence !== this.lastQueuedSequence + 1 || unit.sequence > this.lastReceivedSequence) {
      throw new Error(`expected sequence ${this.lastQueuedSequence + 1} for the recording, got ${unit.sequence}`);
    }
    if (this.pendingBytes + unit.payload.byteLength > this.pendingWriteBytes) {
      this.markSkipped(); // still behind: asked again once drained
      return;
    }
    this.queueForDisk(unit);
    if (this.lastQueuedSequence !== unit.sequence) return; // left out after all: resent again later
    if (unit.kind === 'fragment') this.stats.fragmentReceived(unit.receivedAtMs, unit.message.byteLength, unit.captureTimeMs, false);
    else this.stats.initReceived(unit.message.byteLength);
    if (this.lastQueuedSequence === this.lastReceivedSequence) this.diskBehind = false;
  }

  /**
   * A resent unit could not be taken for the recording (it is not the disk cursor's next one):
   * the Sentinel is asked to resend again once the disk queue is durable.
   */
  skipResent(): void {
    this.markSkipped();
  }

  /**
   * Records a hole the Sentinel reported (`gap` message) in the index, in order with the units.
   * Ignored once the stream has ended.
   */
  recordGap(gap: { fromMs: number; toMs: number; reason: GapReason }): void {
    if (this.stateValue === 'ended') return;
    // a Sentinel resends a gap with the unacknowledged message it precedes: record it once
    const key = `${gap.fromMs}/${gap.toMs}/${gap.reason}`;
    if (this.recordedGaps.has(key)) return;
    this.recordedGaps.add(key);
    if (this.recordedGaps.size > 1024) this.recordedGaps.delete(this.recordedGaps.values().next().value as string);
    this.gapCoveredUntilMs = Math.max(this.gapCoveredUntilMs, gap.toMs);
    this.disk.next({ kind: 'gap', gap: { afterSequence: this.lastQueuedSequence, ...gap, source: 'sentinel' } });
  }

  /** Whether the stream was opened by an upload-only connection (backlog after capture ended). */
  uploadOnly = false;

  /**
   * Takes the Sentinel's `status` report (validated by the protocol's schema) into
   * {@link lastStatus}, in place after the first (see {@link SentinelStatus}).
   * @param atMs when it came, server clock, ms since the Unix epoch
   */
  reportStatus(report: StatusMessage, atMs: number): void {
    if (this.lastStatus) this.lastStatus.update(report, atMs);
    else this.lastStatus = new SentinelStatus(report, atMs);
  }

  private markSkipped(): void {
    this.diskBehind = true;
    this.skippedOnThisLink = true;
  }

  private queueForDisk(unit: MediaUnit): void {
    if (this.pendingBytes + unit.payload.byteLength > this.pendingWriteBytes && this.pendingBytes > 0) {
      this.markSkipped();
      return;
    }
    this.lastQueuedSequence = unit.sequence;
    this.pendingBytes += unit.payload.byteLength;
    if (unit.kind === 'init') {
      this.diskInitUnit = unit;
      this.diskDecodeTime = -1;
    } else {
      this.diskDecodeTime = unit.decodeTime;
    }
    this.disk.next({ kind: 'unit', unit });
  }

  /**
   * The capture clock jumped further than the frame rate explains and no Sentinel `gap`
   * covers it: record a hole of unknown reason (server side), so none is silent.
   */
  private noticeTimelineJump(unit: FragmentUnit): void {
    const captured = unit.captureTimeMs;
    if (captured === null) return;
    const expectedEnd = this.mediaEndMs;
    this.mediaEndMs = captured + (unit.duration * 1000) / TICKS_PER_SECOND;
    if (expectedEnd === null || captured - expectedEnd <= MAX_UNEXPLAINED_JUMP_MS) return;
    if (this.gapCoveredUntilMs >= captured - MAX_UNEXPLAINED_JUMP_MS) return;
    this.disk.next({
      kind: 'gap',
      gap: { afterSequence: this.lastQueuedSequence, fromMs: Math.round(expectedEnd), toMs: Math.round(captured), reason: 'unknown', source: 'server' },
    });
  }

  private setStorage(state: StorageState, error: unknown): void {
    if (state === 'storage-failed') {
      this.writeFailures++;
      this.storageError = error instanceof Error ? error.message : String(error);
    } else {
      this.storageError = null;
    }
    if (this.storageValue === state) return;
    this.storageValue = state;
    this.storageChanged.next(state);
    this.changed.next();
  }

  /**
   * Adds a viewer and starts it per DESIGN.md Join flow: init + fragments from the
   * newest join fragment when it is fresh enough; otherwise the viewer waits for the
   * next join fragment and one coalesced keyframe request goes to the Sentinel, unless the
   * next fragment is a join fragment anyway (nothing received yet, or an init segment last).
   * @returns whether the viewer waits for a join fragment (requested, or on its way)
   */
  addViewer(viewer: Viewer, nowMs: number): { waitingForKeyframe: boolean } {
    this.viewers.add(viewer);
    this.applyDemand();
    const join = this.buffer.joinPoint(this.joinMaxAgeTicks); // null when too old to start from: nothing copied
    if (join) {
      viewer.start(join.init, join.fragments);
    } else {
      viewer.start(this.buffer.init, []);
      if (!this.joinFragmentNext) this.keyframes.request('viewer-join', nowMs);
    }
    this.changed.next();
    return { waitingForKeyframe: join === null };
  }

  removeViewer(viewer: Viewer): void {
    if (this.viewers.delete(viewer)) {
      this.applyDemand();
      this.changed.next();
    }
  }

  /** Admin/REST: ask for an IDR now. @returns false when no Sentinel is connected */
  requestKeyframe(reason: KeyframeReason, nowMs: number): boolean {
    if (!this.sentinel) return false;
    this.keyframes.request(reason, nowMs);
    return true;
  }

  /**
   * An admin sets the frame rate (0.2..5 fps, validated by the caller's schema): it wins over
   * the viewers' demand until the stream ends.
   * @returns false when no Sentinel is connected (the value still applies on reconnect)
   */
  setFps(fps: number, reason: 'admin' | 'load'): boolean {
    if (reason === 'admin') this.fpsOverride = fps;
    return this.sendFps(fps, reason);
  }

  /** The exam's rate for this stream (its default when the stream opens), fps; viewers may raise it. */
  setBaseFps(fps: number): void {
    this.baseFps = fps;
    this.applyDemand();
  }

  /**
   * Load shedding's level (server-wide) applies to this stream: capped by how it is watched
   * ({@link loadCapFps}); a change of the rate goes to the Sentinel with reason `load`.
   */
  setShedLevel(level: ShedLevel, shedFps: number): void {
    if (level === this.shedLevel && shedFps === this.shedFps) return;
    this.shedLevel = level;
    this.shedFps = shedFps;
    this.applyDemand();
  }

  /** Whether load shedding holds the frame rate below what the viewers ask for now. */
  get shedByLoad(): boolean {
    return this.loadCapped;
  }

  /** How the stream is watched now: by a focused view, only as tiles, or not at all. */
  get watchedAs(): WatchedAs {
    return watchedAs(this.focusViewerCount(), this.viewers.size);
  }

  private focusViewerCount(): number {
    let n = 0;
    for (const v of this.viewers) if (v.view === 'focus') n++;
    return n;
  }

  /** Sets the rate {@link demandedRate} asks for now, when it differs (reason `demand` or `load`). */
  private applyDemand(): void {
    const focusViewers = this.focusViewerCount();
    const loadCap = loadCapFps(this.shedLevel, watchedAs(focusViewers, this.viewers.size), this.baseFps, this.shedFps);
    const { fps, reason } = demandedRate({ baseFps: this.baseFps, focusFps: this.focusFps, overrideFps: this.fpsOverride, focusViewers, loadCapFps: loadCap });
    this.loadCapped = reason === 'load';
    if (fps !== this.fps) this.sendFps(fps, reason === 'load' ? 'load' : 'demand');
  }

  private sendFps(fps: number, reason: SetFpsReason): boolean {
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
      bitrateBps: this.stats.bitrateBps(nowMs),
      viewers: this.viewers.size,
      storage: this.storageValue,
    };
  }

  /** Frees memory when the global budget is exceeded. @returns bytes freed */
  evictOldestSegment(): number {
    const freed = this.buffer.evictOldest();
    this.budget.adjust(-freed);
    return freed;
  }
}
