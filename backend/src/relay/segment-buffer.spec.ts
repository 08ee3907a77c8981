import { SegmentBuffer } from './segment-buffer';
import { ChunkPool } from './chunk-pool';
import { fragmentsOf, streamMessages, toUnits } from '../testing/media-fixtures';
import type { InitUnit } from './media-unit';

describe('SegmentBuffer', () => {
  // 5 fps, keyframe every 10 frames (2 s segments), 1000-byte samples
  const units = toUnits(streamMessages(200, 10, 5, 1000));
  const init = units[0] as InitUnit;
  const fragments = fragmentsOf(units);

  it('keeps every whole segment overlapping the window, and no more', () => {
    const buffer = new SegmentBuffer(20, 64 * 1024 * 1024);
    buffer.setInit(init);
    for (const f of fragments) buffer.append(f);
    // live edge = 200 frames = 40 s; window start = 20 s = frame 100, a segment start:
    // segments starting at frames 100..190 (10 of them) overlap [20 s, 40 s].
    expect(buffer.segmentCount).toBe(10);
    expect(buffer.liveEdgeTicks).toBe(200 * 18000);
    const join = buffer.joinPoint()!;
    expect(join.init).toBe(init);
    expect(join.fragments[0].sequence).toBe(fragments[190].sequence);
    expect(join.fragments).toHaveLength(10);
    expect(join.ageTicks).toBe(10 * 18000);
  });

  it('keeps the segment that straddles the window start', () => {
    const buffer = new SegmentBuffer(21, 64 * 1024 * 1024);
    buffer.setInit(init);
    for (const f of fragments) buffer.append(f);
    // window start = 19 s = frame 95, inside the segment of frames 90..99
    expect(buffer.segmentCount).toBe(11);
    expect(buffer.joinPoint()!.fragments[0].sequence).toBe(fragments[190].sequence);
  });

  it('keeps copies of the messages in pooled chunks, and hands out new copies with the same bytes and fields', () => {
    const pool = new ChunkPool(1024);
    const buffer = new SegmentBuffer(20, 64 * 1024 * 1024, pool);
    buffer.setInit(init);
    for (const f of fragments.slice(0, 10)) buffer.append(f);
    expect(pool.chunksInUse).toBe(Math.ceil((10 * fragments[0].message.byteLength) / 1024));
    const join = buffer.joinPoint()!;
    join.fragments.forEach((copy, i) => {
      const original = fragments[i];
      expect(copy.message).not.toBe(original.message);
      expect(copy.message.buffer).not.toBe(original.message.buffer);
      expect(Buffer.from(copy.message).equals(Buffer.from(original.message))).toBe(true);
      expect(Buffer.from(copy.payload).equals(Buffer.from(original.payload))).toBe(true);
      expect({ ...copy, message: null, payload: null }).toEqual({ ...original, message: null, payload: null });
    });
    // the copy handed out is the caller's: changing it changes nothing held
    join.fragments[0].message.fill(0);
    expect(Buffer.from(buffer.joinPoint()!.fragments[0].message).equals(Buffer.from(fragments[0].message))).toBe(true);
  });

  it('gives its chunks back to the pool as segments leave, and all of them when cleared', () => {
    const pool = new ChunkPool(1024);
    const buffer = new SegmentBuffer(4, 64 * 1024 * 1024, pool); // 4 s: 2 or 3 segments of 2 s
    buffer.setInit(init);
    for (const f of fragments) buffer.append(f);
    expect(buffer.segmentCount).toBe(2); // the window 36..40 s: the segments from 36 and 38 s
    const held = Math.ceil(buffer.bytes / 1024) + 1; // one partly used chunk at each end at most
    expect(pool.chunksInUse).toBeLessThanOrEqual(held);
    expect(buffer.joinPoint()!.fragments[0].sequence).toBe(fragments[190].sequence);
    buffer.clear();
    expect(pool.chunksInUse).toBe(0);
    expect(pool.chunksFree).toBeGreaterThan(0);
  });

  it('gives no join point older than asked for', () => {
    const buffer = new SegmentBuffer(20, 64 * 1024 * 1024);
    buffer.setInit(init);
    for (const f of fragments.slice(0, 15)) buffer.append(f); // the newest segment: frames 10..14, 5 frames from its start to the live edge
    expect(buffer.joinPoint(5 * 18000)!.ageTicks).toBe(5 * 18000);
    expect(buffer.joinPoint(5 * 18000 - 1)).toBeNull();
    expect(buffer.joinPoint()!.fragments.map((f) => f.sequence)).toEqual(fragments.slice(10, 15).map((f) => f.sequence));
  });

  it('drops fragments that arrive before the first join fragment', () => {
    const buffer = new SegmentBuffer(20, 64 * 1024 * 1024);
    buffer.setInit(init);
    for (const f of fragments.slice(1, 10)) buffer.append(f); // frames 1..9, no IDR
    expect(buffer.segmentCount).toBe(0);
    expect(buffer.bytes).toBe(0);
    expect(buffer.joinPoint()).toBeNull();
  });

  it('evicts the oldest whole segments over its byte budget', () => {
    const size = fragments[0].message.byteLength;
    const buffer = new SegmentBuffer(20, size * 25); // room for 2.5 segments
    buffer.setInit(init);
    for (const f of fragments.slice(0, 40)) buffer.append(f);
    expect(buffer.bytes).toBeLessThanOrEqual(size * 25);
    expect(buffer.segmentCount).toBe(2);
    expect(buffer.joinPoint()!.fragments[0].sequence).toBe(fragments[30].sequence);
  });

  it('forgets old segments when a new init segment arrives (they cannot decode with it)', () => {
    const buffer = new SegmentBuffer(20, 64 * 1024 * 1024);
    buffer.setInit(init);
    for (const f of fragments.slice(0, 15)) buffer.append(f);
    expect(buffer.setInit(init)).toBe(15 * fragments[0].message.byteLength);
    expect(buffer.segmentCount).toBe(0);
  });

  it('refuses nonsense limits with a TypeError', () => {
    expect(() => new SegmentBuffer(0, 1)).toThrow(new TypeError('windowSeconds must be > 0'));
    expect(() => new SegmentBuffer(20, 0)).toThrow(new TypeError('maxBytes must be > 0'));
  });
});
