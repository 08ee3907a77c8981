import { appendFile, mkdir, mkdtemp, readFile, rename, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StreamEventView } from '@vigil/api';
import { nodeEventFileSource } from './event-file-source';
import { eventLine, eventsInRange, parseEventLines } from './event-track';
import { EVENT_LINE_MAX_BYTES, EventTrackCache, EventTrackIndex, type EventFileSource } from './event-track-index';

const T = 1_764_000_000_000;
const encoder = new TextEncoder();

/** A deterministic pseudo-random generator (xorshift32). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** A track's text: mostly in time order, some events late, some at the same ms, some lines that are no events, non-ASCII text. */
function trackText(count: number, seed: number): string {
  const random = rng(seed);
  const lines: string[] = [];
  let at = T;
  for (let i = 0; i < count; i++) {
    const r = random();
    if (r < 0.05) lines.push('not json');
    else if (r < 0.08) lines.push('{"atMs":"soon","type":"x"}');
    else {
      if (random() < 0.7) at += Math.floor(random() * 500);
      const atMs = random() < 0.1 ? at - Math.floor(random() * 5000) : at; // a late one now and then
      lines.push(eventLine({ atMs, source: 'proctor', type: random() < 0.5 ? 'flag' : 'note', by: 'p@x', detail: { text: `ünïcödé ✓ ${i}` } }));
    }
  }
  return lines.map((l) => l + '\n').join('');
}

/** Feeds `bytes` to a fresh index in chunks of random sizes (cuts inside lines and inside UTF-8 sequences), as the cache does. */
function feedInChunks(bytes: Uint8Array, windowBytes: number, seed: number): EventTrackIndex {
  const random = rng(seed);
  const index = new EventTrackIndex(windowBytes);
  let end = 0;
  while (end < bytes.length) {
    end = Math.min(bytes.length, end + 1 + Math.floor(random() * 300));
    index.ingest(bytes.subarray(index.readOffset, end), index.readOffset, end);
  }
  return index;
}

/** What a full read of the file's last `maxBytes` bytes gave before the cache (`readEvents` + `parseEventLines`). */
function fullRead(bytes: Uint8Array, maxBytes: number): StreamEventView[] {
  return parseEventLines(Buffer.from(bytes.subarray(Math.max(0, bytes.length - maxBytes))).toString('utf8'));
}

describe('EventTrackIndex', () => {
  it('fed in pieces, holds what a full parse holds, and answers ranges like eventsInRange (late and same-time events too)', () => {
    const bytes = encoder.encode(trackText(2000, 7));
    const index = feedInChunks(bytes, 1 << 30, 11);
    const all = parseEventLines(Buffer.from(bytes).toString('utf8'));
    expect(index.all()).toEqual(all);
    expect(index.size).toBe(all.length);
    expect(index.readOffset).toBe(bytes.length);
    expect(index.timeOrdered).toBe(false);
    const random = rng(3);
    const lo = T - 10_000;
    const hi = all.reduce((m, e) => Math.max(m, e.atMs), 0) + 10_000;
    for (let i = 0; i < 300; i++) {
      const a = lo + Math.floor(random() * (hi - lo));
      const b = a + Math.floor(random() * (hi - a));
      const limit = 1 + Math.floor(random() * 400);
      expect(index.range(a, b, limit)).toEqual(eventsInRange(all, a, b, limit));
    }
    expect(index.range(0, 8.64e15, 10_000)).toEqual(eventsInRange(all, 0, 8.64e15, 10_000));
    expect(index.range(hi, hi + 1, 10)).toEqual({ events: [], truncated: false });
  });

  it('events in time order are appended in order and stay time-ordered', () => {
    const text = [1, 2, 2, 3].map((i) => eventLine({ atMs: T + i, source: 'server', type: `t${i}` }) + '\n').join('');
    const index = new EventTrackIndex(1 << 20);
    index.ingest(encoder.encode(text), 0);
    expect(index.timeOrdered).toBe(true);
    expect(index.range(T + 2, T + 2, 10).events.map((e) => e.type)).toEqual(['t2', 't2']);
    expect(index.range(T, T + 10, 2)).toEqual({ events: [expect.objectContaining({ type: 't1' }), expect.objectContaining({ type: 't2' })], truncated: true });
  });

  it('waits for the rest of a line, and keeps only the lines that start in the newest windowBytes (as a read of the file’s tail did)', () => {
    const index = new EventTrackIndex(1 << 20);
    const line = eventLine({ atMs: T, source: 'server', type: 'connect' });
    index.ingest(encoder.encode(line.slice(0, 10)), 0);
    expect(index.size).toBe(0);
    expect(index.readOffset).toBe(0);
    index.ingest(encoder.encode(line + '\n'), 0);
    expect(index.size).toBe(1);

    const bytes = encoder.encode(trackText(3000, 5));
    for (const windowBytes of [1000, 4096, 50_000]) {
      const grown = feedInChunks(bytes, windowBytes, windowBytes);
      expect(grown.all()).toEqual(fullRead(bytes, windowBytes));
      expect(grown.retainedBytes).toBeLessThanOrEqual(windowBytes);
      // a first read of the tail only (the cache's fresh read) gives the same
      const from = EventTrackIndex.firstReadOffset(bytes.length, windowBytes);
      const fresh = new EventTrackIndex(windowBytes);
      fresh.ingest(bytes.subarray(from), from, bytes.length);
      expect(fresh.all()).toEqual(fullRead(bytes, windowBytes));
    }
  });

  it('skips an overlong line without a newline instead of waiting for it', () => {
    const index = new EventTrackIndex(1 << 30);
    const junk = new Uint8Array(EVENT_LINE_MAX_BYTES + 10).fill(0x61);
    index.ingest(junk, 0);
    expect(index.readOffset).toBe(junk.length);
    const rest = encoder.encode('aaa\n' + eventLine({ atMs: T, source: 'server', type: 'gap' }) + '\n');
    index.ingest(rest, junk.length);
    expect(index.all()).toEqual([expect.objectContaining({ type: 'gap' })]);
    expect(() => index.ingest(rest, 0)).toThrow(RangeError);
    expect(() => new EventTrackIndex(0)).toThrow(RangeError);
  });
});

/** A file source over real files in a temporary folder, counting bytes read. */
function countingSource(dir: string): EventFileSource & { bytes: number } {
  const inner = nodeEventFileSource((id) => path.join(dir, id));
  const source = {
    bytes: 0,
    stat: (id: string) => inner.stat(id),
    async read(id: string, offset: number, length: number) {
      const data = await inner.read(id, offset, length);
      source.bytes += data.length;
      return data;
    },
  };
  return source;
}

describe('EventTrackCache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vigil-event-cache-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const fileOf = (id: string) => path.join(dir, id, 'events.jsonl');
  const writeTrack = async (id: string, text: string) => {
    await rm(path.join(dir, id), { recursive: true, force: true });
    await mkdir(path.join(dir, id), { recursive: true });
    await writeFile(fileOf(id), text);
  };
  const everything = (cache: EventTrackCache, id: string) => cache.query(id, (t) => t?.range(0, 8.64e15, 10_000) ?? null);
  const reference = async (id: string, window: number) => {
    const bytes = new Uint8Array(await readFile(fileOf(id)));
    return eventsInRange(fullRead(bytes, window), 0, 8.64e15, 10_000);
  };

  it('reads a growing file incrementally (only the appended bytes) with the same answers as a full read', async () => {
    const source = countingSource(dir);
    const cache = new EventTrackCache(source, { windowBytes: 1 << 20, maxStreams: 8, maxBytes: 1 << 24 });
    const text = trackText(4000, 9);
    const lines = text.split(/(?<=\n)/);
    await writeTrack('s1', lines.slice(0, 1000).join(''));
    expect(await everything(cache, 's1')).toEqual(await reference('s1', 1 << 20));
    let size = Buffer.byteLength(lines.slice(0, 1000).join(''));
    expect(source.bytes).toBe(size);
    for (let i = 1000; i < lines.length; i += 333) {
      const more = lines.slice(i, i + 333).join('');
      // half a line first: it waits for its newline
      const cut = Math.floor(more.length / 2);
      await appendFile(fileOf('s1'), more.slice(0, cut));
      expect(await everything(cache, 's1')).toEqual(eventsInRange(parseEventLines(lines.slice(0, i).join('') + more.slice(0, cut).replace(/[^\n]*$/, '')), 0, 8.64e15, 10_000));
      await appendFile(fileOf('s1'), more.slice(cut));
      size += Buffer.byteLength(more);
      const before = source.bytes;
      const answer = await everything(cache, 's1');
      expect(answer).toEqual(await reference('s1', 1 << 20));
      // this request read the appended bytes (plus the unfinished line and a 64-byte check), not the whole file
      expect(source.bytes - before).toBeLessThan(Buffer.byteLength(more) + 400);
    }
    expect(cache.stats()).toMatchObject({ streams: 1, fullReads: 1 });
    expect(source.bytes).toBeLessThan(size * 1.2);
    // a range answer: binary search, same as the full read's
    const all = parseEventLines(text);
    const mid = all[Math.floor(all.length / 2)]!.atMs;
    expect(await cache.query('s1', (t) => t!.range(mid - 1000, mid + 1000, 20))).toEqual(eventsInRange(all, mid - 1000, mid + 1000, 20));
  });

  it('a file that shrank, was replaced (retention delete, new file) or rewritten in place is parsed again; a deleted one is gone', async () => {
    const source = countingSource(dir);
    const cache = new EventTrackCache(source, { windowBytes: 1 << 20, maxStreams: 8, maxBytes: 1 << 24 });
    const a = trackText(300, 1);
    await writeTrack('s', a);
    expect(await everything(cache, 's')).toEqual(await reference('s', 1 << 20));

    // shrank (truncated to a shorter track)
    await truncate(fileOf('s'), Math.floor(Buffer.byteLength(a) / 3));
    expect(await everything(cache, 's')).toEqual(await reference('s', 1 << 20));
    expect(cache.stats().fullReads).toBe(2);

    // deleted with its folder (retention), then a new recording's file at the same path, longer
    await unlink(fileOf('s'));
    expect(await everything(cache, 's')).toBeNull();
    expect(cache.stats().streams).toBe(0);
    await writeTrack('s', trackText(600, 2));
    expect(await everything(cache, 's')).toEqual(await reference('s', 1 << 20));

    // replaced by another file (a new inode) that is longer than what was read
    await everything(cache, 's');
    const other = path.join(dir, 'other.jsonl');
    await writeFile(other, trackText(900, 3));
    await rename(other, fileOf('s'));
    expect(await everything(cache, 's')).toEqual(await reference('s', 1 << 20));

    // rewritten in place (same inode) and longer: the bytes before the read position differ
    const reads = cache.stats().fullReads;
    await writeFile(fileOf('s'), trackText(1200, 4));
    expect(await everything(cache, 's')).toEqual(await reference('s', 1 << 20));
    expect(cache.stats().fullReads).toBe(reads + 1);
  });

  it('keeps a big file’s newest windowBytes only, also while it grows past the window', async () => {
    const source = countingSource(dir);
    const window = 20_000;
    const cache = new EventTrackCache(source, { windowBytes: window, maxStreams: 8, maxBytes: 1 << 24 });
    const lines = trackText(3000, 12).split(/(?<=\n)/);
    await writeTrack('big', lines.slice(0, 1500).join(''));
    expect(await everything(cache, 'big')).toEqual(await reference('big', window));
    expect(source.bytes).toBeLessThanOrEqual(window + 1);
    for (let i = 1500; i < 3000; i += 50) {
      await appendFile(fileOf('big'), lines.slice(i, i + 50).join(''));
      expect(await everything(cache, 'big')).toEqual(await reference('big', window));
    }
    // more than the window appended at once: a fresh read of the tail
    await appendFile(fileOf('big'), trackText(1000, 13));
    expect(await everything(cache, 'big')).toEqual(await reference('big', window));
  });

  it('keeps at most maxStreams tracks and maxBytes of lines, least recently used out', async () => {
    const source = countingSource(dir);
    const cache = new EventTrackCache(source, { windowBytes: 1 << 20, maxStreams: 2, maxBytes: 1 << 24 });
    for (const id of ['a', 'b', 'c']) await writeTrack(id, trackText(100, id.charCodeAt(0)));
    await everything(cache, 'a');
    await everything(cache, 'b');
    await everything(cache, 'a'); // a is now the most recently used
    await everything(cache, 'c'); // b goes
    expect(cache.stats()).toMatchObject({ streams: 2, fullReads: 3 });
    await everything(cache, 'a');
    expect(cache.stats().fullReads).toBe(3);
    await everything(cache, 'b');
    expect(cache.stats().fullReads).toBe(4);

    const small = new EventTrackCache(source, { windowBytes: 1 << 20, maxStreams: 100, maxBytes: 10_000 });
    for (const id of ['a', 'b', 'c']) await everything(small, id);
    const { streams, bytes } = small.stats();
    expect(streams).toBe(1); // each track is over 5,000 bytes: only the one just read stays
    expect(bytes).toBeGreaterThan(5000);
    expect(await everything(small, 'a')).toEqual(await reference('a', 1 << 20));
  });

  it('runs the queries of one stream one after another, and passes errors on without keeping a broken track', async () => {
    let inFlight = 0;
    let most = 0;
    let text = eventLine({ atMs: T, source: 'server', type: 'connect' }) + '\n';
    let fail = false;
    const source: EventFileSource = {
      async stat() {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        if (fail) throw new Error('EIO');
        return { size: Buffer.byteLength(text), id: '1:1' };
      },
      async read(_id, offset, length) {
        return encoder.encode(text).subarray(offset, offset + length);
      },
    };
    const cache = new EventTrackCache(source, { windowBytes: 1 << 20, maxStreams: 4, maxBytes: 1 << 20 });
    const answers = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        if (i === 2) text += eventLine({ atMs: T + 1, source: 'server', type: 'stop' }) + '\n';
        return cache.query('s', (t) => t!.size);
      }),
    );
    expect(most).toBe(1);
    expect(answers).toEqual([2, 2, 2, 2]);
    fail = true;
    await expect(cache.query('s', (t) => t)).rejects.toThrow('EIO');
    expect(cache.stats().streams).toBe(0);
    fail = false;
    expect(await cache.query('s', (t) => t!.size)).toBe(2);
  });
});
