import { mkdtemp, appendFile, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IndexEntry } from './recording-layout';
import { RecordingTimeline } from './recording-timeline';
import { RecordingStore } from './recording-store';

const init = (sequence: number, atMs: number, width = 1920): IndexEntry => ({ type: 'init', sequence, file: `${String(sequence).padStart(12, '0')}-init.mp4`, width, height: 1080, codec: 'avc1.42C028', atMs });
/** A segment of `seconds` at 1 fps starting at `startMs`, decode time continuing from `decodeTime`. */
const segment = (sequence: number, initSequence: number, startMs: number, decodeTime: number): IndexEntry => ({
  type: 'segment',
  sequence,
  file: `${String(sequence).padStart(12, '0')}-x.m4s`,
  init: `${String(initSequence).padStart(12, '0')}-init.mp4`,
  join: true,
  decodeTime,
  startMs,
});

describe('RecordingTimeline', () => {
  // 3 hours at 1 fps with a 25 s GOP: 432 segments
  const entries: IndexEntry[] = [init(1, 0)];
  for (let i = 0; i < 432; i++) entries.push(segment(2 + i * 25, 1, i * 25_000, i * 25 * 90_000));

  it('finds the segments of a 5-minute range by binary search, with ends from the media time', () => {
    const t = new RecordingTimeline(entries);
    const r = t.range(3_600_000, 3_900_000);
    expect(r.segments.map((s) => s.startMs)).toEqual(Array.from({ length: 13 }, (_, i) => 3_600_000 + i * 25_000));
    expect(r.segments[0].endMs).toBe(3_625_000);
    expect(r.inits.map((i) => i.file)).toEqual(['000000000001-init.mp4']);
    // a range inside one segment gives that segment
    expect(t.range(3_610_000, 3_611_000).segments.map((s) => s.startMs)).toEqual([3_600_000]);
    // before everything and after the newest start
    expect(t.range(-5, -1).segments).toEqual([]);
    expect(t.range(999_999_999, 1_000_000_000).segments.map((s) => s.startMs)).toEqual([431 * 25_000]); // the open newest segment
    expect(t.extent()).toEqual({ fromMs: 0, toMs: null });
  });

  it('closes a segment at a gap, keeps init changes, and grows by appends', () => {
    const t = new RecordingTimeline([init(1, 0), segment(2, 1, 0, 0), segment(27, 1, 25_000, 25 * 90_000)]);
    t.append([
      { type: 'gap', sequence: 40, fromMs: 38_000, toMs: 90_000, reason: 'sentinel-restarted', source: 'sentinel' },
      init(41, 90_100, 1280),
      segment(42, 41, 90_000, 40 * 90_000),
    ]);
    const r = t.range(0, 100_000);
    expect(r.segments.map((s) => [s.startMs, s.endMs, s.init])).toEqual([
      [0, 25_000, '000000000001-init.mp4'],
      [25_000, 38_000, '000000000001-init.mp4'],
      [90_000, null, '000000000041-init.mp4'],
    ]);
    expect(r.gaps).toEqual([{ fromMs: 38_000, toMs: 90_000, reason: 'sentinel-restarted', source: 'sentinel', afterSequence: 40 }]);
    expect(r.inits.map((i) => i.width)).toEqual([1920, 1280]);
    expect(t.range(50_000, 60_000)).toMatchObject({ segments: [], gaps: [expect.objectContaining({ reason: 'sentinel-restarted' })] });
    expect(() => t.range(2, 1)).toThrow(RangeError);
  });

  it('the store reads a growing index incrementally (a half-written line waits) and again after a rewrite', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vigil-timeline-'));
    try {
      const store = new RecordingStore(dir, false);
      const index = path.join(dir, 'streams', 's1', 'index.jsonl');
      await mkdir(path.dirname(index), { recursive: true });
      const line = (e: IndexEntry) => JSON.stringify(e) + '\n';
      await writeFile(index, line(init(1, 0)) + line(segment(2, 1, 0, 0)));
      expect((await store.timeline('s1')).segmentCount).toBe(1);
      const next = line(segment(27, 1, 25_000, 25 * 90_000));
      await appendFile(index, next.slice(0, 20)); // torn: the writer is mid-append
      expect((await store.timeline('s1')).segmentCount).toBe(1);
      await appendFile(index, next.slice(20));
      const t = await store.timeline('s1');
      expect(t.segmentCount).toBe(2);
      expect(t.range(0, 1).segments[0].endMs).toBe(25_000);
      // crash repair rewrites the file (a new inode): read again from the start
      await rm(index);
      await writeFile(index, line(init(1, 0)));
      expect((await store.timeline('s1')).segmentCount).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
