import { Observable, Subject } from 'rxjs';
import { MAX_STREAMS_PER_LIST, ProtocolError, type StopMessage, type StreamSummary } from '@vigil/protocol';
import { BufferBudget } from './buffer-budget';
import { ChunkPool } from './chunk-pool';
import { LiveStream, LiveStreamOptions, StreamIdentity, UnitWriter } from './live-stream';
import { initUnitFromBytes } from './unit-factory';
import { JoinGate } from './join-gate';
import { DEFAULT_LOAD_SHEDDING, type ShedLevel } from './load-shedding';

/** Opens the disk side of a stream; the registry stays free of I/O (see recording/). */
export interface StreamWriterFactory {
  open(identity: StreamIdentity): Promise<OpenedWriter>;
  /** Exam and seat of an existing recording with this id, or null when there is none. */
  lookup(streamId: string): Promise<{ examId: string; seatId: string } | null>;
}

/** A stream's writer; `resume` is set when a recording for the id already exists on disk. */
export interface OpenedWriter extends UnitWriter {
  close(): Promise<void>;
  resume?: { lastSequence: number; lastDecodeTime: number; init: { sequence: number; bytes: Uint8Array } | null };
}

/** Called once for every stream the registry creates (event logging, metrics). */
export type StreamCreatedHook = (stream: LiveStream) => void;

/** Registry tunables (from VigilConfig). */
export interface StreamRegistryOptions extends LiveStreamOptions {
  bufferTotalBytes: number;
  /** A disconnected stream ends after this many ms without a Sentinel. */
  streamEndAfterMs: number;
  /** Most streams held at once (default 3000; never more than the stream list can carry, 5000). */
  maxStreams?: number;
  /** Most streams of one exam (default 1000). */
  maxStreamsPerExam?: number;
  /** Most streams of one seat (default 3: a reloaded page starts one while the old one waits to end). */
  maxStreamsPerSeat?: number;
  /** How long ending a stream waits for its queued writes to become durable, ms (default 10000). */
  drainTimeoutMs?: number;
  /** Joins whose setup runs at once; the rest wait in arrival order (default 2, see {@link JoinGate}). */
  joinConcurrency?: number;
}

/** Join setups at once when the options do not say (issue 10: 2 kept a 200-Sentinel herd's first acks at p50 9–11 ms; 4 did worse). */
export const DEFAULT_JOIN_CONCURRENCY = 2;

/** Stream caps when the options do not set them. */
export const DEFAULT_STREAM_CAPS = { maxStreams: 3000, maxStreamsPerExam: 1000, maxStreamsPerSeat: 3 } as const;

/**
 * All live streams of this server process (pure core; timers are the only side effect).
 * Hands out channel numbers, enforces the global memory budget, ends streams whose
 * Sentinel stayed away, and publishes a change signal for stream lists.
 */
export class StreamRegistry {
  private readonly streams = new Map<string, LiveStream>();
  private readonly closers = new Map<string, () => Promise<void>>();
  private readonly endTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly changed = new Subject<void>();
  private readonly opening = new Map<string, Promise<LiveStream>>();
  private nextChannel = 1;
  private shed: { level: ShedLevel; fps: number } = { level: 0, fps: DEFAULT_LOAD_SHEDDING.shedFps };
  readonly budget: BufferBudget;
  /** The chunks every stream's buffer copies its fragments into (see {@link ChunkPool}). */
  readonly chunkPool: ChunkPool;
  /** Admission of joining streams' setup (Sentinel sessions take a turn after authorization). */
  readonly joins: JoinGate;
  /**
   * Streams held, per exam and per seat ({@link seatKey}), kept with `streams`: a join's cap
   * check reads two counts instead of walking every stream (issue 10: at 1,000 streams the
   * walk cost a join about 0.2 ms of the event loop, all of it repeated for every join).
   */
  private readonly perExam = new Map<string, number>();
  private readonly perSeat = new Map<string, number>();

  /** Emits whenever any stream's summary may have changed (consumers throttle). */
  readonly changed$: Observable<void> = this.changed.asObservable();

  constructor(
    private readonly options: StreamRegistryOptions,
    private readonly onCreated: StreamCreatedHook = () => undefined,
  ) {
    this.budget = new BufferBudget(options.bufferTotalBytes);
    // the whole budget reserved once (see ChunkPool: V8 then counts the buffers' growth once)
    this.chunkPool = options.chunkPool ?? new ChunkPool(undefined, undefined, options.bufferTotalBytes);
    this.joins = new JoinGate(options.joinConcurrency ?? DEFAULT_JOIN_CONCURRENCY);
  }

  get(streamId: string): LiveStream | undefined {
    return this.streams.get(streamId);
  }

  /** Streams held now (live, waiting for their Sentinel, or ended and not yet dropped). */
  get size(): number {
    return this.streams.size;
  }

  list(): LiveStream[] {
    return [...this.streams.values()];
  }

  summaries(nowMs: number): StreamSummary[] {
    return this.list().map((s) => s.summary(nowMs));
  }

  /**
   * Returns the stream with this id, creating it (and opening its recording) when the
   * process does not know it yet. Concurrent calls for one id share one creation.
   * @throws ProtocolError `server-busy` when a new stream would pass a cap (in total, per
   *   exam, per seat), before any file is opened
   */
  async openStream(identity: StreamIdentity, writerFactory: StreamWriterFactory): Promise<LiveStream> {
    const existing = this.streams.get(identity.streamId);
    if (existing && existing.state !== 'ended') {
      this.cancelEnd(identity.streamId);
      return existing;
    }
    const pending = this.opening.get(identity.streamId);
    if (pending) return pending;
    this.checkCaps(identity);
    const creation = (async () => {
      const writer = await writerFactory.open(identity);
      const stream = new LiveStream(identity, this.nextChannel++, { ...this.options, chunkPool: this.chunkPool }, writer, this.budget);
      if (writer.resume && writer.resume.lastSequence > 0) {
        const { init, lastSequence, lastDecodeTime } = writer.resume;
        stream.restore({
          lastSequence,
          lastDecodeTime,
          init: init ? initUnitFromBytes(init.bytes, init.sequence, stream.channel, Date.now()) : null,
        });
      }
      if (this.shed.level > 0) stream.setShedLevel(this.shed.level, this.shed.fps);
      this.streams.set(identity.streamId, stream);
      this.countStream(identity, 1);
      this.closers.set(identity.streamId, () => writer.close());
      stream.storage$.subscribe(() => this.changed.next());
      stream.changed$.subscribe(() => this.changed.next());
      stream.units$.subscribe(() => this.enforceBudget());
      this.onCreated(stream);
      this.changed.next();
      return stream;
    })();
    this.opening.set(identity.streamId, creation);
    try {
      return await creation;
    } finally {
      this.opening.delete(identity.streamId);
    }
  }

  /**
   * Load shedding's level for every stream, now and for streams opened later
   * (`load-shedding.ts`); each stream caps its rate by how it is watched.
   * @param shedFps the rate shed streams capture at, fps
   */
  setShedLevel(level: ShedLevel, shedFps: number): void {
    this.shed = { level, fps: shedFps };
    for (const stream of this.streams.values()) if (stream.state !== 'ended') stream.setShedLevel(level, shedFps);
  }

  /** The Sentinel went away: end the stream unless it comes back within `streamEndAfterMs`. */
  scheduleEnd(streamId: string): void {
    this.cancelEnd(streamId);
    const timer = setTimeout(() => void this.endStream(streamId), this.options.streamEndAfterMs);
    timer.unref?.();
    this.endTimers.set(streamId, timer);
  }

  /**
   * Ends a stream now: memory freed, recording closed, removed from lists. Idempotent.
   * `stop` goes to a connected Sentinel, which then stops for good (see {@link LiveStream.end}).
   */
  async endStream(streamId: string, stop?: StopMessage): Promise<void> {
    this.cancelEnd(streamId);
    const stream = this.streams.get(streamId);
    if (!stream) return;
    stream.end(stop);
    this.streams.delete(streamId);
    this.countStream(stream.identity, -1);
    const close = this.closers.get(streamId);
    this.closers.delete(streamId);
    this.changed.next();
    // writes already queued finish first (acked = durable); a disk that stays broken is given up on
    const timeout = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, this.options.drainTimeoutMs ?? 10_000);
      t.unref?.();
    });
    await Promise.race([stream.drained(), timeout]);
    stream.abandonWrites();
    await close?.().catch(() => undefined);
  }

  private checkCaps(identity: StreamIdentity): void {
    const maxStreams = Math.min(this.options.maxStreams ?? DEFAULT_STREAM_CAPS.maxStreams, MAX_STREAMS_PER_LIST);
    const perExam = this.options.maxStreamsPerExam ?? DEFAULT_STREAM_CAPS.maxStreamsPerExam;
    const perSeat = this.options.maxStreamsPerSeat ?? DEFAULT_STREAM_CAPS.maxStreamsPerSeat;
    const opening = this.opening.size;
    if (this.streams.size + opening >= maxStreams) {
      throw new ProtocolError('server-busy', `this server holds its limit of ${maxStreams} streams: try again later or ask the administrator`, { fatal: true });
    }
    const exam = this.perExam.get(identity.examId) ?? 0;
    const seat = this.perSeat.get(seatKey(identity)) ?? 0;
    if (exam >= perExam) {
      throw new ProtocolError('server-busy', `exam ${identity.examId} has its limit of ${perExam} streams`, { fatal: true });
    }
    if (seat >= perSeat) {
      throw new ProtocolError(
        'server-busy',
        `seat ${identity.seatId} already has ${seat} streams (limit ${perSeat}): close other Sentinel pages of this seat, or wait a minute for old ones to end`,
        { fatal: true },
      );
    }
  }

  /** Adds (+1) or removes (-1) a held stream in the per-exam and per-seat counts {@link checkCaps} reads. */
  private countStream(identity: StreamIdentity, delta: 1 | -1): void {
    addCount(this.perExam, identity.examId, delta);
    addCount(this.perSeat, seatKey(identity), delta);
  }

  /** Ends every stream (server shutdown). */
  async close(): Promise<void> {
    await Promise.all(this.list().map((s) => this.endStream(s.streamId)));
    this.changed.complete();
  }

  private cancelEnd(streamId: string): void {
    const timer = this.endTimers.get(streamId);
    if (timer) clearTimeout(timer);
    this.endTimers.delete(streamId);
  }

  /** Over the global budget: the stream holding the most bytes gives up its oldest segment. */
  private enforceBudget(): void {
    while (this.budget.isOver) {
      let largest: LiveStream | null = null;
      for (const s of this.streams.values()) if (!largest || s.buffer.bytes > largest.buffer.bytes) largest = s;
      if (!largest || largest.evictOldestSegment() === 0) return;
    }
  }
}

/** The key of a seat in the per-seat counts (seat ids are unique within an exam only); unambiguous for any two strings. */
function seatKey(identity: Pick<StreamIdentity, 'examId' | 'seatId'>): string {
  return JSON.stringify([identity.examId, identity.seatId]);
}

/** Adds `delta` to the count of `key`; a count that reaches 0 leaves the map. */
function addCount(counts: Map<string, number>, key: string, delta: number): void {
  const n = (counts.get(key) ?? 0) + delta;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}
