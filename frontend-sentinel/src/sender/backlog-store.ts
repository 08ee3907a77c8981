/**
 * The Sentinel's backlog on disk: every unacknowledged wire message in IndexedDB (W3C Indexed
 * Database API 3.0), so a page reload, a browser crash or a restart does not lose what the
 * server has not acknowledged yet. Uses the `idb` wrapper (promises over IDBRequest).
 *
 * Database `vigil-sentinel-backlog` (version 1), two object stores:
 *
 * | store | key | value |
 * |---|---|---|
 * | `messages` | `[seat, sequence]` (seat = `examId/seatId`, sequence = wire sequence number) | {@link StoredMessage}: the exact wire bytes and their timing |
 * | `seats` | `seat` | {@link SeatRecord}: stream id, last ack, highest sequence written, end of the media timeline |
 *
 * One writer per seat (the Sentinel page of that seat). Each write is one readwrite
 * transaction over both stores, so a message and the seat record that counts it are written
 * together or not at all. A full disk or an exhausted origin quota rejects with a
 * `DOMException` named `QuotaExceededError` (W3C Storage §4.3; IndexedDB §2.7 "transaction
 * abort"): see {@link isQuotaExceeded}.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { ID_PATTERN } from '@vigil/protocol';
import { describe } from '../util/assert';
import type { CaptureGap, OutboundMessage } from './outbound-queue';

/** Name of the IndexedDB database. */
export const BACKLOG_DB_NAME = 'vigil-sentinel-backlog';
const DB_VERSION = 1;

/** One stored wire message: {@link OutboundMessage} plus the seat it belongs to. */
export interface StoredMessage {
  /** `examId/seatId` (ids cannot contain `/`). */
  seat: string;
  sequence: number;
  kind: 'init' | 'fragment';
  join: boolean;
  /** The whole binary WebSocket message (header + payload). */
  data: Uint8Array;
  /** 90 kHz ticks; see {@link OutboundMessage}. */
  durationTicks?: number;
  mediaEndTicks?: number;
  /** ms since the Unix epoch. */
  captureEndMs?: number;
  gaps?: CaptureGap[];
}

/** What the store remembers about a seat's stream besides the messages. */
export interface SeatRecord {
  /** `examId/seatId`. */
  seat: string;
  examId: string;
  seatId: string;
  /** Stream id from the last `welcome`, or null before the first one. */
  streamId: string | null;
  /** Highest sequence number the server acknowledged (0 = none). */
  lastAcked: number;
  /** Highest sequence number written to the store (or acknowledged); the next page continues after it. */
  highestSequence: number;
  /** End of the media timeline (last fragment's `tfdt` + duration), 90 kHz ticks; null before the first fragment. */
  mediaEndTicks: number | null;
  /** Capture time of the end of the last fragment, ms since the Unix epoch; null before the first fragment. */
  captureEndMs: number | null;
  /** The server ended the stream (`stop`): a later page only uploads the backlog, it does not capture into this stream. */
  captureEnded: boolean;
  /** Frame rate in force (from `welcome` / `set-fps`), fps: a later page captures at it until its own `welcome`. Absent: unknown. */
  fps?: number;
  /** When the record was last written, ms since the Unix epoch. */
  updatedAtMs: number;
}

/** What an earlier page left for a seat. */
export interface RestoredBacklog {
  record: SeatRecord;
  /** Unacknowledged messages, consecutive sequence numbers from `record.lastAcked + 1`. */
  messages: OutboundMessage[];
  /**
   * Stored messages that could not be used because their sequence numbers do not follow on
   * (a hole in the store, e.g. after the quota ran out): 0 normally.
   */
  discarded: number;
}

interface BacklogSchema extends DBSchema {
  messages: { key: [string, number]; value: StoredMessage };
  seats: { key: string; value: SeatRecord };
}

/** The seat key `examId/seatId`. @throws TypeError on an id that is not an `ID_PATTERN` id */
export function seatKey(examId: string, seatId: string): string {
  if (typeof examId !== 'string' || !ID_PATTERN.test(examId)) throw new TypeError(`examId must be an id, got ${describe(examId)}`);
  if (typeof seatId !== 'string' || !ID_PATTERN.test(seatId)) throw new TypeError(`seatId must be an id, got ${describe(seatId)}`);
  return `${examId}/${seatId}`;
}

/** A fresh record for a seat with nothing stored. */
export function emptySeatRecord(examId: string, seatId: string, nowMs: number): SeatRecord {
  return {
    seat: seatKey(examId, seatId),
    examId,
    seatId,
    streamId: null,
    lastAcked: 0,
    highestSequence: 0,
    mediaEndTicks: null,
    captureEndMs: null,
    captureEnded: false,
    updatedAtMs: nowMs,
  };
}

/** True for the error a write gets when the origin's quota (or the disk) is exhausted. */
export function isQuotaExceeded(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  return name === 'QuotaExceededError' || (name === 'UnknownError' && /quota|space/i.test(String((error as { message?: unknown }).message)));
}

/** The store's operations, as the persister needs them (tests inject failing ones). */
export interface BacklogStoreLike {
  load(examId: string, seatId: string): Promise<RestoredBacklog | null>;
  put(messages: readonly OutboundMessage[], record: SeatRecord): Promise<void>;
  ack(record: SeatRecord): Promise<void>;
  replace(record: SeatRecord): Promise<void>;
  forget(seat: string): Promise<void>;
}

/** IndexedDB backlog; see the module comment. */
export class BacklogStore implements BacklogStoreLike {
  private constructor(private readonly db: IDBPDatabase<BacklogSchema>) {}

  /**
   * Opens (creating or upgrading) the database.
   * @throws Error (a DOMException) when IndexedDB is missing or refuses (e.g. storage disabled)
   */
  static async open(name = BACKLOG_DB_NAME): Promise<BacklogStore> {
    if (typeof indexedDB === 'undefined') throw new Error('IndexedDB is not available in this browser');
    const db = await openDB<BacklogSchema>(name, DB_VERSION, {
      upgrade(database) {
        if (!database.objectStoreNames.contains('messages')) database.createObjectStore('messages', { keyPath: ['seat', 'sequence'] });
        if (!database.objectStoreNames.contains('seats')) database.createObjectStore('seats', { keyPath: 'seat' });
      },
      blocking() {
        // a newer version wants the database (another page with a newer Sentinel): let it
        db.close();
      },
    });
    return new BacklogStore(db);
  }

  /** Closes the connection. */
  close(): void {
    this.db.close();
  }

  /**
   * What an earlier page left for this seat: its record and its unacknowledged messages in
   * sequence order (the longest run of consecutive numbers from `lastAcked + 1`). Null when
   * the store has nothing for the seat.
   */
  async load(examId: string, seatId: string): Promise<RestoredBacklog | null> {
    const seat = seatKey(examId, seatId);
    const tx = this.db.transaction(['seats', 'messages'], 'readonly');
    const record = await tx.objectStore('seats').get(seat);
    const stored = await tx.objectStore('messages').getAll(IDBKeyRange.bound([seat, 0], [seat, Number.MAX_SAFE_INTEGER]));
    await tx.done;
    if (record === undefined) return null; // orphan messages without a record are removed by the next replace()
    const messages: OutboundMessage[] = [];
    const unacked = stored.filter((m) => m.sequence > record.lastAcked); // acked ones may linger if the page went away mid-delete
    for (const m of unacked) {
      if (m.sequence !== record.lastAcked + 1 + messages.length) break;
      messages.push(toOutbound(m));
    }
    const discarded = unacked.length - messages.length;
    return { record, messages, discarded };
  }

  /**
   * Writes messages (consecutive, one transaction) and the seat record that counts them.
   * @throws DOMException `QuotaExceededError` when the quota or disk is exhausted; others on I/O failure
   */
  async put(messages: readonly OutboundMessage[], record: SeatRecord): Promise<void> {
    const tx = this.db.transaction(['seats', 'messages'], 'readwrite');
    const store = tx.objectStore('messages');
    for (const m of messages) void store.put(toStored(record.seat, m));
    void tx.objectStore('seats').put({ ...record });
    await tx.done;
  }

  /** Deletes the messages up to `record.lastAcked` and writes the record. */
  async ack(record: SeatRecord): Promise<void> {
    const tx = this.db.transaction(['seats', 'messages'], 'readwrite');
    void tx.objectStore('messages').delete(IDBKeyRange.bound([record.seat, 0], [record.seat, record.lastAcked]));
    void tx.objectStore('seats').put({ ...record });
    await tx.done;
  }

  /** Deletes every message of the seat and writes the record (a new stream). */
  async replace(record: SeatRecord): Promise<void> {
    const tx = this.db.transaction(['seats', 'messages'], 'readwrite');
    void tx.objectStore('messages').delete(IDBKeyRange.bound([record.seat, 0], [record.seat, Number.MAX_SAFE_INTEGER]));
    void tx.objectStore('seats').put({ ...record });
    await tx.done;
  }

  /** Deletes everything of the seat (its stream is over and fully recorded). */
  async forget(seat: string): Promise<void> {
    const tx = this.db.transaction(['seats', 'messages'], 'readwrite');
    void tx.objectStore('messages').delete(IDBKeyRange.bound([seat, 0], [seat, Number.MAX_SAFE_INTEGER]));
    void tx.objectStore('seats').delete(seat);
    await tx.done;
  }
}

function toStored(seat: string, m: OutboundMessage): StoredMessage {
  // structured clone copies the whole ArrayBuffer behind a view: store exactly the message bytes
  const data = m.data.byteOffset === 0 && m.data.byteLength === m.data.buffer.byteLength ? m.data : m.data.slice();
  const stored: StoredMessage = { seat, sequence: m.sequence, kind: m.kind, join: m.join, data };
  if (m.durationTicks !== undefined) stored.durationTicks = m.durationTicks;
  if (m.mediaEndTicks !== undefined) stored.mediaEndTicks = m.mediaEndTicks;
  if (m.captureEndMs !== undefined) stored.captureEndMs = m.captureEndMs;
  if (m.gaps !== undefined && m.gaps.length > 0) stored.gaps = m.gaps.map((g) => ({ ...g }));
  return stored;
}

function toOutbound(m: StoredMessage): OutboundMessage {
  return {
    sequence: m.sequence,
    kind: m.kind,
    join: m.join,
    data: m.data,
    ...(m.durationTicks !== undefined ? { durationTicks: m.durationTicks } : {}),
    ...(m.mediaEndTicks !== undefined ? { mediaEndTicks: m.mediaEndTicks } : {}),
    ...(m.captureEndMs !== undefined ? { captureEndMs: m.captureEndMs } : {}),
    ...(m.gaps !== undefined ? { gaps: m.gaps } : {}),
  };
}
