/**
 * The Sentinel's outbound events (issue 11, event track): `event` control messages waiting for
 * the server's `event-ack`, so they survive a disconnect like fragments do. Pure.
 *
 * Each event gets the next `seq` of this page (from 1). The sender sends the unsent ones as
 * soon as it is welcomed; `ack(seq)` (cumulative) drops them; after a reconnect `rewind()` sends
 * every unacknowledged one again, and the server drops a `page`/`seq` it already has.
 *
 * Bounded: at most `maxEvents` (default 256) wait; when full the oldest is dropped and counted
 * (`dropped`). Events live in memory only: a page that is closed or reloaded loses those not yet
 * acknowledged (the next page reports `reload`), unlike media, which the IndexedDB backlog keeps.
 */
import { EVENT_PAGE_MAX_LENGTH, type EventMessage, type SentinelEventDetail, type SentinelEventKind } from '@vigil/protocol';

/** One queued event. */
export interface QueuedEvent {
  readonly seq: number;
  readonly kind: SentinelEventKind;
  /** When it happened, ms since the Unix epoch. */
  readonly atMs: number;
  readonly detail?: SentinelEventDetail;
}

/** Options of {@link EventQueue}. */
export interface EventQueueOptions {
  /** This page's id, 1..32 of `A-Z a-z 0-9 _ -` (see {@link randomPageId}). */
  page: string;
  /** Most events kept waiting (>= 1, default 256). */
  maxEvents?: number;
}

/** A random page id: 12 characters of base64url (72 bits). */
export function randomPageId(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(9));
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let out = '';
  for (let i = 0; i < 12; i++) {
    const bit = i * 6;
    const byte = bit >> 3;
    const word = ((bytes[byte] ?? 0) << 8) | (bytes[byte + 1] ?? 0);
    out += alphabet[(word >> (10 - (bit & 7))) & 63];
  }
  return out;
}

/** Acknowledgement-driven, bounded queue of events; see the module comment. */
export class EventQueue {
  /** This page's id, sent with every event. */
  readonly page: string;
  private readonly maxEvents: number;
  private items: QueuedEvent[] = [];
  /** Index in `items` of the next event to send. */
  private cursor = 0;
  private nextSeq = 1;
  private droppedCount = 0;
  private acked = 0;

  /** @throws TypeError for a malformed page id or bound */
  constructor(options: EventQueueOptions) {
    if (typeof options.page !== 'string' || !new RegExp(`^[A-Za-z0-9_-]{1,${EVENT_PAGE_MAX_LENGTH}}$`).test(options.page)) {
      throw new TypeError(`page must be 1..${EVENT_PAGE_MAX_LENGTH} characters of A-Z a-z 0-9 _ -, got ${JSON.stringify(options.page)}`);
    }
    const max = options.maxEvents ?? 256;
    if (!Number.isInteger(max) || max < 1) throw new TypeError(`maxEvents must be an integer >= 1, got ${max}`);
    this.page = options.page;
    this.maxEvents = max;
  }

  /** Events waiting for their acknowledgement. */
  get depth(): number {
    return this.items.length;
  }

  /** Events dropped because the queue was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Highest `seq` acknowledged (0 = none). */
  get lastAcked(): number {
    return this.acked;
  }

  /** The newest event queued, or null. */
  get last(): QueuedEvent | null {
    return this.items.at(-1) ?? null;
  }

  /**
   * Queues an event; drops the oldest when full.
   * @returns the queued event with its `seq`
   */
  push(kind: SentinelEventKind, atMs: number, detail?: SentinelEventDetail): QueuedEvent {
    const event: QueuedEvent = { seq: this.nextSeq++, kind, atMs: Math.max(0, atMs), ...(detail !== undefined ? { detail } : {}) };
    this.items.push(event);
    if (this.items.length > this.maxEvents) {
      this.items.shift();
      this.droppedCount++;
      if (this.cursor > 0) this.cursor--;
    }
    return event;
  }

  /** The next event to send, or undefined. */
  peekUnsent(): QueuedEvent | undefined {
    return this.items[this.cursor];
  }

  /** Moves past the event {@link peekUnsent} returned. */
  markSent(): void {
    if (this.cursor < this.items.length) this.cursor++;
  }

  /** Cumulative acknowledgement: drops every event with `seq` <= `seq`. */
  ack(seq: number): void {
    let n = 0;
    while (n < this.items.length && this.items[n]!.seq <= seq) n++;
    if (n === 0) return;
    this.items.splice(0, n);
    this.cursor = Math.max(0, this.cursor - n);
    this.acked = Math.max(this.acked, seq);
  }

  /** Sends every unacknowledged event again (a new connection). */
  rewind(): void {
    this.cursor = 0;
  }

  /** The `event` control message of a queued event. */
  toMessage(event: QueuedEvent): EventMessage {
    return { type: 'event', page: this.page, seq: event.seq, kind: event.kind, atMs: event.atMs, ...(event.detail !== undefined ? { detail: event.detail } : {}) };
  }
}
