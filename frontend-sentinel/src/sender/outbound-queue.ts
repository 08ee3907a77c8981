/**
 * The Sentinel's outbound media queue: every init segment and fragment stays here, as the
 * exact wire message, until the server acknowledges it (DESIGN.md "Transport": the upload is
 * reliable; after a reconnect everything unacknowledged is resent).
 *
 * Messages are pushed with consecutive sequence numbers. A send cursor marks what has been
 * handed to the current socket; `ack(n)` (cumulative) drops everything up to n; `rewind()`
 * moves the cursor back to the oldest unacknowledged message for a resend after reconnect.
 *
 * The queue is bounded by bytes: `overLimit` turns true once `bytes >= maxBytes` and the
 * pipeline stops encoding until acks bring it below `resumeBytes` (75 % of the bound). Push
 * itself never refuses a message, because a refused message would leave a hole in the sequence
 * numbers; the overshoot is at most the frames already inside the encoder.
 *
 * A send gate (`allowSendThrough`) holds back messages that are not yet written to the
 * IndexedDB backlog (`backlog-store.ts`, "persist before send"): whatever the server received,
 * a reloaded page can find again, so a new page never reuses a sequence number the server has.
 * The gate is open (everything sendable) unless the backlog persister closes it.
 *
 * A message may carry `gaps`: holes in the capture (capture stopped, page restarted, memory
 * full) that end at this message; the sender sends them as `gap` control messages right before
 * it, so the server records them in order with the media.
 */
import { gapReasonSchema, type GapReason } from '@vigil/protocol';
import { assertFiniteInRange, assertIntegerInRange, assertObject, describe } from '../util/assert';

/** A hole in the capture, announced to the server with a `gap` message (capture clock, epoch ms). */
export interface CaptureGap {
  /** First moment without frames, ms since the Unix epoch. */
  readonly fromMs: number;
  /** Last moment without frames (the next frame's capture time), ms since the Unix epoch, >= fromMs. */
  readonly toMs: number;
  /** Why no frames exist for that range. */
  readonly reason: GapReason;
}

/** One wire message waiting for its acknowledgement. */
export interface OutboundMessage {
  /** Wire sequence number (u64 <= 2^53-1, starts at 1, shared by init segments and fragments). */
  readonly sequence: number;
  /** 'init' for an init segment, 'fragment' for a fragment. */
  readonly kind: 'init' | 'fragment';
  /** True for a join fragment (first sample is an IDR). */
  readonly join: boolean;
  /** The whole binary WebSocket message (header + payload), bytes. */
  readonly data: Uint8Array;
  /** Sample duration, 90 kHz ticks (fragments; 0 or absent for init segments): counted into `mediaTicks`. */
  readonly durationTicks?: number;
  /** Fragments: `tfdt` + duration, 90 kHz ticks (where the next fragment's media time may start). */
  readonly mediaEndTicks?: number;
  /** Fragments: capture time of the sample's end, ms since the Unix epoch. */
  readonly captureEndMs?: number;
  /** Holes in the capture that end at this message, sent as `gap` messages before it. */
  readonly gaps?: readonly CaptureGap[];
}

/** Default bound: 256 MiB (about 25 minutes of 1080p at 5 fps, hours at 1 fps). */
export const DEFAULT_QUEUE_MAX_BYTES = 256 * 1024 * 1024;

/** Options for {@link OutboundQueue}. */
export interface OutboundQueueOptions {
  /** Byte bound (>= 1 MiB, default 256 MiB). */
  maxBytes?: number;
  /** First sequence number (default 1). */
  firstSequence?: number;
}

/** Bounded, acknowledgement-driven queue of wire messages; see the module comment. */
export class OutboundQueue {
  /** Byte bound: at or above it, `overLimit` is true. */
  readonly maxBytes: number;
  /** Below this many bytes an over-limit queue accepts new frames again (75 % of maxBytes). */
  readonly resumeBytes: number;
  private items: OutboundMessage[] = [];
  private head = 0;
  private cursor = 0;
  private totalBytes = 0;
  private acked: number;
  private nextSeq: number;
  private limitHit = false;
  private ticks = 0;
  private fragments = 0;
  private sendLimit = Number.MAX_SAFE_INTEGER;

  constructor(options: OutboundQueueOptions = {}) {
    assertObject('options', options);
    const maxBytes = options.maxBytes ?? DEFAULT_QUEUE_MAX_BYTES;
    assertIntegerInRange('options.maxBytes', maxBytes, 1024 * 1024);
    const first = options.firstSequence ?? 1;
    assertIntegerInRange('options.firstSequence', first, 1);
    this.maxBytes = maxBytes;
    this.resumeBytes = Math.floor(maxBytes * 0.75);
    this.acked = first - 1;
    this.nextSeq = first;
  }

  /** Number of unacknowledged messages. */
  get depth(): number {
    return this.items.length - this.head;
  }

  /** Bytes of unacknowledged messages. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Highest sequence number acknowledged (0 = none). */
  get lastAcked(): number {
    return this.acked;
  }

  /** Sequence number the next pushed message must carry. */
  get nextSequence(): number {
    return this.nextSeq;
  }

  /** Highest sequence number pushed (lastAcked when nothing was pushed since). */
  get highestSequence(): number {
    return this.nextSeq - 1;
  }

  /** Messages pushed but not yet handed to the current socket (gated ones included). */
  get unsentCount(): number {
    return this.items.length - this.cursor;
  }

  /** Unacknowledged fragments (messages of kind `fragment`). */
  get fragmentCount(): number {
    return this.fragments;
  }

  /** Media duration of the unacknowledged fragments, 90 kHz ticks (sum of `durationTicks`). */
  get mediaTicks(): number {
    return this.ticks;
  }

  /** Highest sequence number the send gate lets through (2^53-1 when open). */
  get sendableThrough(): number {
    return this.sendLimit;
  }

  /**
   * Sets the send gate: `peekUnsent()` returns nothing above `sequence`. Pass
   * `Number.MAX_SAFE_INTEGER` to open it. The gate only moves as told (it may move back:
   * a closed gate after a stream reset).
   * @throws TypeError on a non-integer or negative value
   */
  allowSendThrough(sequence: number): void {
    assertIntegerInRange('sequence', sequence, 0);
    this.sendLimit = sequence;
  }

  /** The unacknowledged message with this sequence number, or undefined. */
  get(sequence: number): OutboundMessage | undefined {
    if (this.head >= this.items.length) return undefined;
    const index = this.head + (sequence - this.items[this.head]!.sequence);
    return index >= this.head && index < this.items.length ? this.items[index] : undefined;
  }

  /**
   * True once the queue reached `maxBytes`, until acks bring it below `resumeBytes`
   * (hysteresis, so encoding does not flap). The pipeline encodes nothing while it is true.
   */
  get overLimit(): boolean {
    if (this.limitHit && this.totalBytes < this.resumeBytes) this.limitHit = false;
    if (!this.limitHit && this.totalBytes >= this.maxBytes) this.limitHit = true;
    return this.limitHit;
  }

  /**
   * Appends a message. Its sequence must be `nextSequence`.
   * @throws TypeError on a malformed message; RangeError on an out-of-order sequence number
   */
  push(message: OutboundMessage): void {
    assertObject('message', message);
    assertIntegerInRange('message.sequence', message.sequence, 1);
    if (message.kind !== 'init' && message.kind !== 'fragment') {
      throw new TypeError(`message.kind must be 'init' or 'fragment', got ${describe(message.kind)}`);
    }
    if (typeof message.join !== 'boolean') throw new TypeError(`message.join must be a boolean, got ${describe(message.join)}`);
    if (!(message.data instanceof Uint8Array) || message.data.byteLength === 0) {
      throw new TypeError('message.data must be a non-empty Uint8Array');
    }
    if (message.durationTicks !== undefined) assertIntegerInRange('message.durationTicks', message.durationTicks, 0, 0xffffffff);
    if (message.mediaEndTicks !== undefined) assertIntegerInRange('message.mediaEndTicks', message.mediaEndTicks, 0);
    if (message.captureEndMs !== undefined) assertFiniteInRange('message.captureEndMs', message.captureEndMs, 0, 8.64e15);
    if (message.gaps !== undefined) {
      if (!Array.isArray(message.gaps)) throw new TypeError(`message.gaps must be an array, got ${describe(message.gaps)}`);
      message.gaps.forEach((gap, i) => checkGap(`message.gaps[${i}]`, gap));
    }
    if (message.sequence !== this.nextSeq) {
      throw new RangeError(`message.sequence must be ${this.nextSeq} (consecutive), got ${message.sequence}`);
    }
    this.items.push(message);
    this.totalBytes += message.data.byteLength;
    this.ticks += message.durationTicks ?? 0;
    if (message.kind === 'fragment') this.fragments++;
    this.nextSeq++;
  }

  /**
   * The next message to hand to the socket, without moving the cursor; undefined when all are
   * sent or the next one is beyond the send gate.
   */
  peekUnsent(): OutboundMessage | undefined {
    const next = this.items[this.cursor];
    return next !== undefined && next.sequence <= this.sendLimit ? next : undefined;
  }

  /** Moves the send cursor past the message `peekUnsent()` returned. */
  markSent(): void {
    if (this.cursor < this.items.length) this.cursor++;
  }

  /**
   * Cumulative acknowledgement: drops every message with sequence <= `sequence`.
   * An ack at or below `lastAcked` is a harmless duplicate.
   * @returns the number of messages dropped
   * @throws TypeError on a non-integer; RangeError when `sequence` is beyond anything pushed
   */
  ack(sequence: number): number {
    assertIntegerInRange('sequence', sequence, 0);
    if (sequence > this.highestSequence) {
      throw new RangeError(`ack ${sequence} is beyond the highest sequence pushed (${this.highestSequence})`);
    }
    if (sequence <= this.acked) return 0;
    let dropped = 0;
    while (this.head < this.items.length && this.items[this.head]!.sequence <= sequence) {
      this.totalBytes -= this.items[this.head]!.data.byteLength;
      this.ticks -= this.items[this.head]!.durationTicks ?? 0;
      if (this.items[this.head]!.kind === 'fragment') this.fragments--;
      this.head++;
      dropped++;
    }
    this.acked = sequence;
    if (this.cursor < this.head) this.cursor = this.head;
    this.compact();
    return dropped;
  }

  /** Moves the send cursor back to the oldest unacknowledged message (resend after reconnect). */
  rewind(): void {
    this.cursor = this.head;
  }

  /**
   * Empties the queue and restarts numbering at `firstSequence` (default 1): used when the
   * server starts a new stream instead of resuming ours.
   */
  reset(firstSequence = 1): void {
    assertIntegerInRange('firstSequence', firstSequence, 1);
    this.items = [];
    this.head = 0;
    this.cursor = 0;
    this.totalBytes = 0;
    this.ticks = 0;
    this.fragments = 0;
    this.acked = firstSequence - 1;
    this.nextSeq = firstSequence;
    this.limitHit = false;
  }

  /** The unacknowledged messages from `sequence` on (oldest first), at most `limit` of them. */
  slice(sequence: number, limit = Number.MAX_SAFE_INTEGER): OutboundMessage[] {
    if (this.head >= this.items.length) return [];
    const start = Math.max(this.head, this.head + (sequence - this.items[this.head]!.sequence));
    return this.items.slice(start, Math.min(this.items.length, start + limit));
  }

  private compact(): void {
    // Drop acknowledged slots in bulk so ack() stays O(1) amortised.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.cursor -= this.head;
      this.head = 0;
    }
  }
}

function checkGap(name: string, gap: unknown): void {
  assertObject(name, gap);
  const g = gap as CaptureGap;
  assertFiniteInRange(`${name}.fromMs`, g.fromMs, 0, 8.64e15);
  assertFiniteInRange(`${name}.toMs`, g.toMs, g.fromMs, 8.64e15);
  const reasons: readonly string[] = gapReasonSchema.options;
  if (!reasons.includes(g.reason)) throw new TypeError(`${name}.reason must be one of ${reasons.join(', ')}, got ${describe(g.reason)}`);
}
