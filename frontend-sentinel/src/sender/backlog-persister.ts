/**
 * Keeps the IndexedDB backlog ({@link BacklogStoreLike}) in step with the outbound queue:
 *
 * - **persist before send**: every pushed message is written (in order, up to `batchMax` per
 *   transaction) before the queue's send gate lets it out, so whatever the server received a
 *   reloaded page finds again and never reuses a sequence number;
 * - **delete on ack**: an acknowledgement deletes the messages it covers and records the ack;
 * - **stream reset**: a new stream id empties the seat's backlog;
 * - **failure is loud, never lossy**: when a write fails (`QuotaExceededError`: state
 *   `quota-exceeded`; anything else: `failed`) the gate opens (upload goes on from memory, the
 *   memory queue keeps everything as before), `onChange` fires so the page says so on screen,
 *   and the writes are retried every `retryMs` (default 10 s) from the first unwritten message;
 *   once a retry succeeds the state is `ok` and the gate follows the writes again.
 *   Without IndexedDB at all (`store` null) the state is `unavailable` and the gate is open.
 *
 * Pure apart from the injected store and scheduler; one loop runs the writes one at a time.
 */
import type { Scheduler } from '../timing/frame-clock';
import { FPS_MAX, FPS_MIN } from '@vigil/protocol';
import { assertFiniteInRange, assertIntegerInRange, assertObject } from '../util/assert';
import { isQuotaExceeded, type BacklogStoreLike, type SeatRecord } from './backlog-store';
import type { OutboundQueue } from './outbound-queue';

/** Whether the backlog survives a reload: `ok`, or why not. */
export type BacklogStorageState = 'ok' | 'quota-exceeded' | 'failed' | 'unavailable';

/** Options for {@link BacklogPersister}. */
export interface BacklogPersisterOptions {
  /** The IndexedDB store, or null when it could not be opened (`unavailable`). */
  store: BacklogStoreLike | null;
  /** The outbound queue (already holding any restored messages, which count as written). */
  queue: OutboundQueue;
  scheduler: Scheduler;
  /** The seat's record (restored, or `emptySeatRecord`). */
  record: SeatRecord;
  /** Messages became sendable (the gate moved): pump the sender. */
  onSendable?: () => void;
  /** The storage state or counters changed (re-render). */
  onChange?: () => void;
  /** Why the store is unavailable (shown), when `store` is null. */
  unavailableReason?: string;
  /** Retry period after a failed write, ms (>= 100, default 10000). */
  retryMs?: number;
  /** Most messages written per transaction (1..1024, default 32). */
  batchMax?: number;
  /** Wall clock for `updatedAtMs`, ms since the Unix epoch (default `Date.now`). */
  wallClock?: () => number;
}

const OPEN_GATE = Number.MAX_SAFE_INTEGER;

/** Mirrors the outbound queue into IndexedDB; see the module comment. */
export class BacklogPersister {
  private readonly store: BacklogStoreLike | null;
  private readonly queue: OutboundQueue;
  private readonly scheduler: Scheduler;
  private readonly onSendable: () => void;
  private readonly onChange: () => void;
  private readonly retryMs: number;
  private readonly batchMax: number;
  private readonly wallClock: () => number;
  private rec: SeatRecord;
  private stateValue: BacklogStorageState;
  private errorText: string | null;
  private written: number;
  private running = false;
  private epoch = 0;
  private replacePending = false;
  private recordPending = false;
  private forgetPending = false;
  private retryTimer: unknown = null;
  private retryDue = false;
  private idleWaiters: Array<() => void> = [];
  private writeCount = 0;
  private failureCount = 0;

  constructor(options: BacklogPersisterOptions) {
    assertObject('options', options);
    assertObject('options.queue', options.queue);
    assertObject('options.record', options.record);
    const retryMs = options.retryMs ?? 10_000;
    const batchMax = options.batchMax ?? 32;
    assertIntegerInRange('options.retryMs', retryMs, 100);
    assertIntegerInRange('options.batchMax', batchMax, 1, 1024);
    this.store = options.store;
    this.queue = options.queue;
    this.scheduler = options.scheduler;
    this.onSendable = options.onSendable ?? (() => undefined);
    this.onChange = options.onChange ?? (() => undefined);
    this.retryMs = retryMs;
    this.batchMax = batchMax;
    this.wallClock = options.wallClock ?? Date.now;
    this.rec = { ...options.record };
    // messages already in the queue came from the store
    this.written = Math.max(this.queue.highestSequence, this.queue.lastAcked);
    if (this.store === null) {
      this.stateValue = 'unavailable';
      this.errorText = options.unavailableReason ?? 'IndexedDB is not available';
      this.queue.allowSendThrough(OPEN_GATE);
    } else {
      this.stateValue = 'ok';
      this.errorText = null;
      this.queue.allowSendThrough(this.written);
    }
  }

  /** `ok`, `quota-exceeded`, `failed` or `unavailable`. */
  get state(): BacklogStorageState {
    return this.stateValue;
  }

  /** Why the backlog is not stored (the last write error), or null while `ok`. */
  get lastError(): string | null {
    return this.errorText;
  }

  /** Highest sequence number written to the store (or acknowledged). */
  get writtenThrough(): number {
    return this.written;
  }

  /** The seat record as it will be written next (a copy). */
  get record(): SeatRecord {
    return { ...this.rec };
  }

  /** Successful write transactions, and failed ones. */
  get writes(): number {
    return this.writeCount;
  }
  get failures(): number {
    return this.failureCount;
  }

  /** Call after pushing messages into the queue: they are written, then released to the sender. */
  notePushed(): void {
    this.kick();
  }

  /** Call after the queue took an acknowledgement: the store deletes what it covers. */
  noteAck(sequence: number): void {
    assertIntegerInRange('sequence', sequence, 0);
    if (sequence <= this.rec.lastAcked) return;
    this.rec.lastAcked = sequence;
    this.rec.highestSequence = Math.max(this.rec.highestSequence, sequence);
    this.written = Math.max(this.written, sequence);
    this.recordPending = true;
    this.kick();
  }

  /** The server named our stream (`welcome`): remember its id for the next page. */
  noteStream(streamId: string): void {
    if (this.rec.streamId === streamId) return;
    this.rec.streamId = streamId;
    this.recordPending = true;
    this.kick();
  }

  /**
   * The server started a new stream (the queue was emptied and renumbered from
   * `firstSequence`): the seat's stored messages are deleted and the record restarts.
   */
  noteReset(streamId: string, firstSequence: number): void {
    assertIntegerInRange('firstSequence', firstSequence, 1);
    this.epoch++;
    this.rec = {
      ...this.rec,
      streamId,
      lastAcked: firstSequence - 1,
      highestSequence: firstSequence - 1,
      mediaEndTicks: null,
      captureEndMs: null,
      captureEnded: false,
    };
    this.written = firstSequence - 1;
    this.replacePending = true;
    if (this.stateValue === 'ok') this.queue.allowSendThrough(this.written);
    this.kick();
  }

  /** The frame rate in force (fps, from `welcome` or `set-fps`): a later page starts at it while offline. */
  noteFps(fps: number): void {
    assertFiniteInRange('fps', fps, FPS_MIN, FPS_MAX);
    if (this.rec.fps === fps) return;
    this.rec.fps = fps;
    this.recordPending = true;
    this.kick();
  }

  /** The server ended the stream: a later page must only upload, not capture into it. */
  noteCaptureEnded(): void {
    if (this.rec.captureEnded) return;
    this.rec.captureEnded = true;
    this.recordPending = true;
    this.kick();
  }

  /** Everything is recorded and the stream is over: delete the seat's record and messages. */
  forget(): void {
    this.forgetPending = true;
    this.kick();
  }

  /** Resolves once no write is running or waiting (retries after a failure excepted). */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops the retry timer (page going away). Writes already started finish on their own. */
  close(): void {
    if (this.retryTimer !== null) this.scheduler.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private kick(): void {
    if (this.store === null || this.running) return;
    void this.run(this.store);
  }

  private async run(store: BacklogStoreLike): Promise<void> {
    this.running = true;
    try {
      for (;;) {
        const epoch = this.epoch;
        if (this.forgetPending) {
          this.forgetPending = false;
          this.replacePending = false;
          this.recordPending = false;
          await store.forget(this.rec.seat);
          continue;
        }
        if (this.replacePending) {
          this.replacePending = false;
          await store.replace(this.snapshot());
          continue;
        }
        const mayWrite = this.stateValue === 'ok' || this.retryDue;
        const next = Math.max(this.written, this.queue.lastAcked) + 1;
        const batch = mayWrite ? this.queue.slice(next, this.batchMax) : [];
        if (batch.length > 0) {
          const last = batch[batch.length - 1]!;
          const record = this.snapshot();
          record.highestSequence = Math.max(record.highestSequence, last.sequence);
          for (const m of batch) {
            if (m.mediaEndTicks !== undefined) record.mediaEndTicks = m.mediaEndTicks;
            if (m.captureEndMs !== undefined) record.captureEndMs = m.captureEndMs;
          }
          await store.put(batch, record);
          this.writeCount++;
          if (epoch !== this.epoch) continue; // the stream was reset meanwhile: these belonged to the old one
          this.written = Math.max(this.written, last.sequence);
          this.rec.highestSequence = Math.max(this.rec.highestSequence, record.highestSequence);
          this.rec.mediaEndTicks = record.mediaEndTicks;
          this.rec.captureEndMs = record.captureEndMs;
          this.recovered();
          if (this.stateValue === 'ok') {
            this.queue.allowSendThrough(Math.max(this.written, this.queue.lastAcked));
            this.onSendable();
          }
          continue;
        }
        if (this.recordPending) {
          this.recordPending = false;
          await store.ack(this.snapshot());
          this.writeCount++;
          if (this.retryDue) {
            this.recovered();
            this.queue.allowSendThrough(Math.max(this.written, this.queue.lastAcked));
          }
          continue;
        }
        break;
      }
    } catch (error) {
      this.failed(error);
    } finally {
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private snapshot(): SeatRecord {
    return { ...this.rec, updatedAtMs: this.wallClock() };
  }

  private recovered(): void {
    this.retryDue = false;
    if (this.stateValue === 'ok') return;
    this.stateValue = 'ok';
    this.errorText = null;
    this.changed();
  }

  private failed(error: unknown): void {
    this.failureCount++;
    this.retryDue = false;
    const quota = isQuotaExceeded(error);
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const state: BacklogStorageState = quota ? 'quota-exceeded' : 'failed';
    const news = state !== this.stateValue || text !== this.errorText;
    this.stateValue = state;
    this.errorText = text;
    // upload goes on from memory; what is not written is lost on a reload (said on screen)
    this.queue.allowSendThrough(OPEN_GATE);
    this.onSendable();
    if (news) this.changed();
    if (this.retryTimer === null) {
      this.retryTimer = this.scheduler.setTimeout(() => {
        this.retryTimer = null;
        this.retryDue = true;
        this.recordPending = true;
        this.kick();
      }, this.retryMs);
    }
  }

  private changed(): void {
    try {
      this.onChange();
    } catch (error) {
      console.error('backlog listener failed', error);
    }
  }
}
