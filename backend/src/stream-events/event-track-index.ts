/**
 * A stream's event track kept parsed in memory, and a bounded cache of them (pure: the file
 * is read through an injected {@link EventFileSource}).
 *
 * `events.jsonl` only grows (lines are appended whole, with O_APPEND). So a track parsed once
 * is brought up to date by reading only the bytes appended since ({@link EventTrackIndex.ingest}),
 * and a time range is two binary searches over the events kept sorted by time
 * ({@link EventTrackIndex.range}), O(log n + k). A file that got shorter, was replaced (a new
 * inode: retention deleted the recording and an id was reused) or whose bytes before the
 * read position changed is parsed again from scratch. Only the newest `windowBytes` of a file
 * are kept (the lines that start in them), as a full read of the file's tail would see them.
 */
import type { StreamEventView } from '@vigil/api';
import { toEventView } from './event-track';

/** A line longer than this without its newline is not waited for: it is skipped like any line that is not JSON, bytes. */
export const EVENT_LINE_MAX_BYTES = 1024 * 1024;
/** Bytes before the read position compared with what was read there before (a replaced file shows itself). */
const FINGERPRINT_BYTES = 64;
const NEWLINE = 0x0a;

/** One event kept: its order in the file, where its line starts (byte offset), and its view. */
interface Entry {
  readonly ord: number;
  readonly start: number;
  readonly bytes: number;
  readonly view: StreamEventView;
}

/**
 * The parsed event track of one `events.jsonl` (pure). Fed the file's bytes in order with
 * {@link ingest}; keeps the events whose lines start within the newest `windowBytes` of what
 * was fed, in file order and sorted by `atMs` (same `atMs`: file order). Events appended in time
 * order (nearly always) cost O(1) each; one older than the newest so far is inserted in place,
 * O(n). Memory: O(events kept).
 */
export class EventTrackIndex {
  /** Events kept, file order; `byFile[head]` is the oldest kept (a prefix is dropped lazily). */
  private byFile: Entry[] = [];
  private head = 0;
  /** The same events sorted by `(atMs, ord)`. */
  private byTime: Entry[] = [];
  /** True while `byTime` is in file order too (no event older than one before it in the file). */
  private inOrder = true;
  private nextOrd = 0;
  private keptBytes = 0;
  private offset = 0;
  /** The bytes from {@link offset} on continue a line that is skipped (cut by the window, or overlong). */
  private skipping = false;
  private readonly decoder = new TextDecoder();

  /**
   * @param windowBytes the newest bytes of the file whose events are kept (16 MiB in the service)
   * @throws RangeError when it is not a positive number
   */
  constructor(readonly windowBytes: number) {
    if (!(windowBytes > 0)) throw new RangeError(`windowBytes must be positive, got ${windowBytes}`);
  }

  /** Byte offset the next {@link ingest} starts at: everything before it is parsed (or skipped). */
  get readOffset(): number {
    return this.offset;
  }

  /** Events kept. */
  get size(): number {
    return this.byTime.length;
  }

  /** Bytes of the lines of the events kept (their parsed form takes a few times this in memory). */
  get retainedBytes(): number {
    return this.keptBytes;
  }

  /** Whether the events kept are in time order in the file too (the usual case). */
  get timeOrdered(): boolean {
    return this.inOrder;
  }

  /**
   * Where a fresh read of a file of `size` bytes starts: its newest {@link windowBytes}, one
   * byte earlier (the byte before tells whether the first line starts there or is cut).
   */
  static firstReadOffset(size: number, windowBytes: number): number {
    return Math.max(0, size - windowBytes - 1);
  }

  /**
   * Parses the file's bytes `[at, at + chunk.length)`. Complete lines (up to the last newline)
   * are taken; an incomplete last line is left for the next call (read again from
   * {@link readOffset}), unless it is longer than {@link EVENT_LINE_MAX_BYTES}: then it is
   * skipped. `at` past {@link readOffset} starts mid-file (a fresh read of a big file's tail):
   * the line `at` falls in is skipped unless the chunk's first byte ends a line
   * ({@link firstReadOffset} reads from one byte before the window for that).
   * Lines that are not events (not JSON, torn, no `atMs`…) are skipped.
   * @param fileEnd the file's size now, bytes (for the window: only lines starting at or after `fileEnd - windowBytes` stay)
   * @throws RangeError when `at` is before {@link readOffset} (bytes already parsed)
   */
  ingest(chunk: Uint8Array, at: number, fileEnd = at + chunk.length): void {
    if (at < this.offset) throw new RangeError(`bytes from ${at} were parsed already (read from ${this.offset})`);
    let pos = 0;
    if (at > this.offset) {
      this.offset = at;
      this.skipping = at > 0;
      if (at > 0 && chunk.length > 0 && chunk[0] === NEWLINE) {
        // the byte before the window ends a line: the window's first line is whole
        this.skipping = false;
        pos = 1;
      }
    }
    const end = chunk.length;
    while (pos < end) {
      const nl = chunk.indexOf(NEWLINE, pos);
      if (nl < 0) break;
      const start = at + pos;
      if (this.skipping) this.skipping = false;
      else this.addLine(chunk.subarray(pos, nl), start);
      pos = nl + 1;
    }
    if (end - pos > EVENT_LINE_MAX_BYTES || (this.skipping && pos < end)) {
      // an overlong unterminated line (or the rest of a skipped one): not worth waiting for
      this.skipping = true;
      pos = end;
    }
    this.offset = at + pos;
    this.trim(Math.max(fileEnd, this.offset) - this.windowBytes);
  }

  /**
   * The events with `fromMs <= atMs <= toMs`, oldest first (same `atMs`: file order), at most
   * `limit` of them (the oldest); `truncated` when more matched. Same answer as `eventsInRange`
   * over the events kept, in O(log n + limit).
   */
  range(fromMs: number, toMs: number, limit: number): { events: StreamEventView[]; truncated: boolean } {
    const lo = lowerBound(this.byTime, fromMs);
    const hi = upperBound(this.byTime, toMs);
    if (hi <= lo) return { events: [], truncated: false };
    const events = this.byTime.slice(lo, Math.min(hi, lo + Math.max(0, limit))).map((e) => e.view);
    return { events, truncated: hi - lo > limit };
  }

  /** Every event kept, in file order. */
  all(): StreamEventView[] {
    return this.byFile.slice(this.head).map((e) => e.view);
  }

  private addLine(bytes: Uint8Array, start: number): void {
    const text = this.decoder.decode(bytes);
    if (text.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    const view = toEventView(parsed);
    if (!view) return;
    const entry: Entry = { ord: this.nextOrd++, start, bytes: bytes.length + 1, view };
    this.byFile.push(entry);
    this.keptBytes += entry.bytes;
    const last = this.byTime[this.byTime.length - 1];
    if (!last || last.view.atMs <= view.atMs) {
      this.byTime.push(entry);
    } else {
      // older than the newest so far (a clock step, a late event): in place, after equal times
      this.byTime.splice(upperBound(this.byTime, view.atMs), 0, entry);
      this.inOrder = false;
    }
  }

  /** Drops the events whose lines start before `minStart`. */
  private trim(minStart: number): void {
    let dropped = 0;
    while (this.head < this.byFile.length && this.byFile[this.head]!.start < minStart) {
      this.keptBytes -= this.byFile[this.head]!.bytes;
      this.head++;
      dropped++;
    }
    if (dropped === 0) return;
    if (this.head === this.byFile.length) {
      this.byFile = [];
      this.head = 0;
      this.byTime = [];
      this.inOrder = true;
      return;
    }
    const minOrd = this.byFile[this.head]!.ord;
    if (this.inOrder) this.byTime.splice(0, dropped);
    else this.byTime = this.byTime.filter((e) => e.ord >= minOrd);
    if (this.head > 1024 && this.head * 2 > this.byFile.length) {
      this.byFile = this.byFile.slice(this.head);
      this.head = 0;
    }
  }
}

/** First index whose `atMs` is `>= ms` (the length when none). */
function lowerBound(entries: readonly Entry[], ms: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.view.atMs < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose `atMs` is `> ms` (the length when none). */
function upperBound(entries: readonly Entry[], ms: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.view.atMs <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** What {@link EventFileSource.stat} says of a stream's `events.jsonl`. */
export interface EventFileInfo {
  /** Bytes. */
  readonly size: number;
  /** Identity of the file, e.g. `<device>:<inode>`: another file at the same path has another one. */
  readonly id: string;
}

/** The file access {@link EventTrackCache} needs (I/O; tests inject a fake or use real files). */
export interface EventFileSource {
  /**
   * The stream's `events.jsonl` now, or null when it does not exist.
   * @throws for an unsafe stream id (passed on to the caller)
   */
  stat(streamId: string): Promise<EventFileInfo | null>;
  /**
   * Up to `length` bytes from byte `offset` of the stream's `events.jsonl` (fewer at its end;
   * an empty array when the file is gone).
   */
  read(streamId: string, offset: number, length: number): Promise<Uint8Array>;
}

/** Limits of {@link EventTrackCache}. */
export interface EventTrackCacheLimits {
  /** Newest bytes of a file whose events are kept and answered (older ones are not seen), bytes. */
  readonly windowBytes: number;
  /** Streams kept parsed at most (least recently used dropped first). */
  readonly maxStreams: number;
  /** Sum of the kept lines' bytes over all streams at most (the stream just read always stays), bytes. */
  readonly maxBytes: number;
}

/** One stream's cached track: the file it was read from and the last bytes read before the read position. */
interface CachedTrack {
  fileId: string;
  index: EventTrackIndex;
  fingerprint: Uint8Array;
  bytes: number;
}

/** What {@link EventTrackCache.stats} reports. */
export interface EventTrackCacheStats {
  readonly streams: number;
  /** Sum of the kept lines' bytes. */
  readonly bytes: number;
  /** Files parsed from scratch (first read, replaced, shrunk) and bytes read so far. */
  readonly fullReads: number;
  readonly bytesRead: number;
}

/**
 * The parsed event tracks of the streams asked for last (pure apart from the injected file
 * access). {@link query} brings a stream's track up to date (a `stat`, then only the appended
 * bytes, or a fresh parse when the file was replaced or shrank) and answers from it; calls for
 * one stream run one after another. At most `maxStreams` tracks and `maxBytes` of lines are
 * kept, least recently used dropped first.
 */
export class EventTrackCache {
  private readonly tracks = new Map<string, CachedTrack>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private totalBytes = 0;
  private fullReads = 0;
  private bytesRead = 0;

  /** @throws RangeError for limits that are not positive */
  constructor(
    private readonly source: EventFileSource,
    private readonly limits: EventTrackCacheLimits,
  ) {
    if (!(limits.windowBytes > 0 && limits.maxStreams >= 1 && limits.maxBytes > 0)) throw new RangeError('event track cache limits must be positive');
  }

  /**
   * Runs `answer` on the stream's up-to-date track (null: the stream has no `events.jsonl`),
   * after any earlier call for the same stream finished.
   * @throws what the file access throws (an unsafe id, I/O errors); the cached track is dropped then
   */
  query<T>(streamId: string, answer: (track: EventTrackIndex | null) => T): Promise<T> {
    const before = this.queues.get(streamId) ?? Promise.resolve();
    const run = before.catch(() => undefined).then(async () => answer(await this.refresh(streamId)));
    this.queues.set(streamId, run);
    const done = () => {
      if (this.queues.get(streamId) === run) this.queues.delete(streamId);
    };
    run.then(done, done);
    return run;
  }

  /** Forgets a stream's track (the next query parses its file again). */
  forget(streamId: string): void {
    this.drop(streamId);
  }

  /** Figures for tests and diagnostics. */
  stats(): EventTrackCacheStats {
    return { streams: this.tracks.size, bytes: this.totalBytes, fullReads: this.fullReads, bytesRead: this.bytesRead };
  }

  private async refresh(streamId: string): Promise<EventTrackIndex | null> {
    let info: EventFileInfo | null;
    try {
      info = await this.source.stat(streamId);
    } catch (e) {
      this.drop(streamId);
      throw e;
    }
    if (!info) {
      this.drop(streamId);
      return null;
    }
    const { windowBytes } = this.limits;
    let cached = this.tracks.get(streamId);
    try {
      if (cached && (cached.fileId !== info.id || info.size < cached.index.readOffset || info.size - cached.index.readOffset > windowBytes)) {
        // another file, a shorter one, or so much appended that nothing kept would stay: parse afresh
        cached = undefined;
      }
      if (cached && info.size > cached.index.readOffset) {
        const offset = cached.index.readOffset;
        const back = cached.fingerprint.length;
        const data = await this.source.read(streamId, offset - back, info.size - offset + back);
        this.bytesRead += data.length;
        if (data.length < back || !sameBytes(data.subarray(0, back), cached.fingerprint)) cached = undefined; // rewritten in place
        else this.advance(cached, data.subarray(back), offset, info.size);
      }
      if (!cached) {
        this.fullReads++;
        const index = new EventTrackIndex(windowBytes);
        cached = { fileId: info.id, index, fingerprint: new Uint8Array(0), bytes: 0 };
        const from = EventTrackIndex.firstReadOffset(info.size, windowBytes);
        const data = await this.source.read(streamId, from, info.size - from);
        this.bytesRead += data.length;
        this.advance(cached, data, from, from + data.length);
      }
    } catch (e) {
      this.drop(streamId);
      throw e;
    }
    this.keep(streamId, cached);
    return cached.index;
  }

  /**
   * Feeds `data` (the file's bytes from `at`, which is the track's read position or, for a fresh
   * track, where its first read starts) and remembers the bytes just before the new read position.
   */
  private advance(cached: CachedTrack, data: Uint8Array, at: number, fileEnd: number): void {
    cached.index.ingest(data, at, fileEnd);
    const end = cached.index.readOffset - at;
    const taken = data.subarray(Math.max(0, end - FINGERPRINT_BYTES), end);
    const joined = new Uint8Array(cached.fingerprint.length + taken.length);
    joined.set(cached.fingerprint, 0);
    joined.set(taken, cached.fingerprint.length);
    cached.fingerprint = joined.slice(Math.max(0, joined.length - FINGERPRINT_BYTES));
  }

  /** Puts the track last in the LRU order and drops the least recently used ones over the limits. */
  private keep(streamId: string, cached: CachedTrack): void {
    this.drop(streamId);
    this.tracks.set(streamId, cached);
    cached.bytes = cached.index.retainedBytes;
    this.totalBytes += cached.bytes;
    for (const [id] of this.tracks) {
      if (this.tracks.size <= this.limits.maxStreams && this.totalBytes <= this.limits.maxBytes) break;
      if (id === streamId) continue;
      this.drop(id);
    }
  }

  private drop(streamId: string): void {
    const old = this.tracks.get(streamId);
    if (!old) return;
    this.totalBytes -= old.bytes;
    this.tracks.delete(streamId);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
