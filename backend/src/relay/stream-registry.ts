import { Observable, Subject } from 'rxjs';
import type { StopMessage, StreamSummary } from '@vigil/protocol';
import { BufferBudget } from './buffer-budget';
import { LiveStream, LiveStreamOptions, StreamIdentity, UnitWriter } from './live-stream';
import { initUnitFromBytes } from './unit-factory';

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
}

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
  readonly budget: BufferBudget;

  /** Emits whenever any stream's summary may have changed (consumers throttle). */
  readonly changed$: Observable<void> = this.changed.asObservable();

  constructor(
    private readonly options: StreamRegistryOptions,
    private readonly onCreated: StreamCreatedHook = () => undefined,
  ) {
    this.budget = new BufferBudget(options.bufferTotalBytes);
  }

  get(streamId: string): LiveStream | undefined {
    return this.streams.get(streamId);
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
   */
  async openStream(identity: StreamIdentity, writerFactory: StreamWriterFactory): Promise<LiveStream> {
    const existing = this.streams.get(identity.streamId);
    if (existing && existing.state !== 'ended') {
      this.cancelEnd(identity.streamId);
      return existing;
    }
    const pending = this.opening.get(identity.streamId);
    if (pending) return pending;
    const creation = (async () => {
      const writer = await writerFactory.open(identity);
      const stream = new LiveStream(identity, this.nextChannel++, this.options, writer, this.budget);
      if (writer.resume && writer.resume.lastSequence > 0) {
        const { init, lastSequence, lastDecodeTime } = writer.resume;
        stream.restore({
          lastSequence,
          lastDecodeTime,
          init: init ? initUnitFromBytes(init.bytes, init.sequence, stream.channel, Date.now()) : null,
        });
      }
      this.streams.set(identity.streamId, stream);
      this.closers.set(identity.streamId, () => writer.close());
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
    const close = this.closers.get(streamId);
    this.closers.delete(streamId);
    this.changed.next();
    await close?.().catch(() => undefined);
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
