import { constants } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { ChunkPool, ChunkRing } from './chunk-pool';

describe('ChunkPool', () => {
  it('hands out chunks of its size, reuses the ones given back, and counts them', () => {
    const pool = new ChunkPool(1024);
    const a = pool.take();
    const b = pool.take();
    expect(a.byteLength).toBe(1024);
    expect(a.buffer).not.toBe(b.buffer);
    expect([pool.chunksInUse, pool.chunksFree, pool.bytes]).toEqual([2, 0, 2048]);
    pool.give(a);
    expect([pool.chunksInUse, pool.chunksFree]).toEqual([1, 1]);
    expect(pool.take()).toBe(a);
  });

  it('keeps at most maxFreeBytes of chunks for reuse; the rest are left to the garbage collector', () => {
    const pool = new ChunkPool(1024, 2048);
    const chunks = [pool.take(), pool.take(), pool.take()];
    for (const c of chunks) pool.give(c);
    expect([pool.chunksInUse, pool.chunksFree, pool.bytes]).toEqual([0, 2, 2048]);
  });

  it('carves chunks from one reservation taken at the first chunk, reuses them first, and allocates one by one past it', () => {
    const sizes: number[] = [];
    const pool = new ChunkPool(1024, 64 * 1024, 3 * 1024 + 500, (n) => (sizes.push(n), Buffer.allocUnsafeSlow(n)));
    expect([pool.reservedBytes, pool.reservedUnusedBytes, sizes]).toEqual([0, 0, []]); // nothing before the first chunk
    const [a, b, c] = [pool.take(), pool.take(), pool.take()];
    expect(sizes).toEqual([3 * 1024]); // one allocation, rounded down to whole chunks
    expect([a.buffer, b.buffer]).toEqual([c.buffer, c.buffer]);
    expect([a.byteOffset, b.byteOffset, c.byteOffset, a.byteLength]).toEqual([0, 1024, 2048, 1024]);
    expect([pool.reservedBytes, pool.reservedUnusedBytes, pool.chunksInUse, pool.bytes]).toEqual([3072, 0, 3, 3072]);
    const d = pool.take(); // the reservation is used up: one by one
    expect(sizes).toEqual([3072, 1024]);
    expect(d.buffer).not.toBe(a.buffer);
    pool.give(d);
    pool.give(b);
    expect([pool.chunksInUse, pool.chunksFree]).toEqual([2, 2]);
    expect(pool.take()).toBe(b); // a carved chunk before a kept one
    expect(pool.take()).toBe(d);
    expect(sizes).toEqual([3072, 1024]);
  });

  it('lets the reservation go once every carved chunk is back, and reserves anew at the next chunk', () => {
    const sizes: number[] = [];
    const pool = new ChunkPool(1024, 64 * 1024, 4096, (n) => (sizes.push(n), Buffer.allocUnsafeSlow(n)));
    const first = [pool.take(), pool.take()];
    expect([pool.reservedBytes, pool.reservedUnusedBytes]).toEqual([4096, 2048]);
    pool.give(first[0]!);
    expect(pool.reservedBytes).toBe(4096); // one carved chunk still out
    pool.give(first[1]!);
    expect([pool.reservedBytes, pool.reservedUnusedBytes, pool.chunksInUse, pool.chunksFree, pool.bytes]).toEqual([0, 0, 0, 0, 0]);
    const next = pool.take();
    expect(sizes).toEqual([4096, 4096]);
    expect(next.buffer).not.toBe(first[0]!.buffer);
    expect(next.byteOffset).toBe(0);
  });

  it('allocates chunks one by one when the reservation is refused, and does not ask again', () => {
    const sizes: number[] = [];
    const pool = new ChunkPool(1024, 64 * 1024, 1 << 30, (n) => {
      sizes.push(n);
      if (n > 1024) throw new RangeError('Array buffer allocation failed');
      return Buffer.allocUnsafeSlow(n);
    });
    const chunks = [pool.take(), pool.take()];
    expect(chunks.map((c) => c.byteLength)).toEqual([1024, 1024]);
    expect(chunks[0]!.buffer).not.toBe(chunks[1]!.buffer);
    expect([pool.reserveFailed, pool.reservedBytes, pool.chunksInUse]).toEqual([true, 0, 2]);
    expect(sizes).toEqual([1 << 30, 1024, 1024]);
  });

  it('asks for no more than the largest buffer Node.js allocates, in whole chunks', () => {
    const sizes: number[] = [];
    const pool = new ChunkPool(16 * 1024, 0, 64 * 1024 ** 3, (n) => {
      sizes.push(n);
      if (n > 16 * 1024) throw new RangeError('Array buffer allocation failed'); // not 4 GiB of address space in a test
      return Buffer.allocUnsafeSlow(n);
    });
    pool.take();
    expect(sizes[0]).toBe(Math.floor(constants.MAX_LENGTH / (16 * 1024)) * 16 * 1024);
  });

  it('refuses a buffer that is not one of its chunks, and nonsense sizes, with a TypeError', () => {
    const pool = new ChunkPool(1024);
    expect(() => pool.give(Buffer.alloc(10))).toThrow(new TypeError('not a chunk of this pool: 10 bytes, chunks are 1024'));
    expect(() => new ChunkPool(100)).toThrow(TypeError);
    expect(() => new ChunkPool(1024.5)).toThrow(TypeError);
    expect(() => new ChunkPool(2 * 1024 * 1024)).toThrow(TypeError);
    expect(() => new ChunkPool(1024, -1)).toThrow(TypeError);
    expect(() => new ChunkPool(1024, 0, -1)).toThrow(new TypeError('reserveBytes must be >= 0'));
  });
});

describe('ChunkRing', () => {
  it('reads back every range exactly, across chunk boundaries, and releases whole chunks only', () => {
    const pool = new ChunkPool(1024);
    const ring = new ChunkRing(pool);
    const parts = [100, 1024, 3000, 1, 924, 5000].map((n) => randomBytes(n));
    const offsets = parts.map((p) => ring.append(p));
    expect(offsets).toEqual([0, 100, 1124, 4124, 4125, 5049]);
    expect(ring.bytes).toBe(10049);
    expect(ring.chunkCount).toBe(10); // ceil(10049 / 1024)
    parts.forEach((p, i) => expect(ring.copyOut(offsets[i], p.byteLength).equals(p)).toBe(true));
    ring.releaseBefore(offsets[2]); // 1124: chunk 0 (0..1023) goes, chunk 1 holds bytes still wanted
    expect(ring.chunkCount).toBe(9);
    expect(ring.bytes).toBe(10049 - 1124);
    expect(pool.chunksFree).toBe(1);
    parts.slice(2).forEach((p, i) => expect(ring.copyOut(offsets[i + 2], p.byteLength).equals(p)).toBe(true));
  });

  it('refuses to read what it does not hold: released, not yet appended, or not whole numbers', () => {
    const ring = new ChunkRing(new ChunkPool(1024));
    ring.append(randomBytes(3000));
    ring.releaseBefore(2048);
    expect(() => ring.copyOut(2047, 10)).toThrow(new RangeError('bytes 2047..2057 are not held (held: 2048..3000)'));
    expect(() => ring.copyOut(2990, 11)).toThrow(RangeError);
    expect(() => ring.copyOut(2048.5, 1)).toThrow(RangeError);
    expect(() => ring.copyOut(2048, -1)).toThrow(RangeError);
    expect(() => ring.releaseBefore(3001)).toThrow(new RangeError('cannot release up to 3001: only 3000 bytes appended'));
    expect(ring.copyOut(2048, 952).byteLength).toBe(952);
  });

  it('gives every chunk back when cleared and goes on appending after it', () => {
    const pool = new ChunkPool(1024);
    const ring = new ChunkRing(pool);
    ring.append(randomBytes(2500));
    ring.clear();
    expect([pool.chunksInUse, ring.bytes, ring.chunkCount]).toEqual([0, 0, 0]);
    const next = randomBytes(1500);
    const at = ring.append(next);
    expect(at).toBe(2500);
    expect(ring.copyOut(at, 1500).equals(next)).toBe(true);
    expect(() => ring.copyOut(0, 10)).toThrow(RangeError);
  });

  // a reservation of 2 MiB holds about half of what the streams hold at once: chunks come from both
  it.each([
    ['allocated one by one', 0],
    ['carved from a reservation, and one by one past it', 2 << 20],
  ])('keeps 300 streams sharing one pool apart: each reads back only its own bytes while chunks (%s) move between them', (_, reserveBytes) => {
    const pool = new ChunkPool(1024, 64 * 1024 * 1024, reserveBytes);
    type Held = { offset: number; bytes: Buffer };
    const streams = Array.from({ length: 300 }, (_, i) => ({ id: i, ring: new ChunkRing(pool), held: [] as Held[] }));
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let step = 0; step < 20_000; step++) {
      const s = streams[random(streams.length)];
      const action = random(10);
      if (action < 6) {
        // a fragment: 1–3 kB mostly, now and then an IDR of up to 40 kB; its first byte names the stream
        const size = random(20) === 0 ? 10_000 + random(30_000) : 1 + random(3_000);
        const bytes = randomBytes(size);
        bytes[0] = s.id & 0xff;
        s.held.push({ offset: s.ring.append(bytes), bytes });
      } else if (action < 9 && s.held.length > 0) {
        // the oldest few leave (a segment evicted)
        const n = 1 + random(s.held.length);
        s.held.splice(0, n);
        if (s.held.length > 0) s.ring.releaseBefore(s.held[0].offset);
        else s.ring.clear();
      } else if (s.held.length > 0) {
        const h = s.held[random(s.held.length)];
        expect(s.ring.copyOut(h.offset, h.bytes.byteLength).equals(h.bytes)).toBe(true);
      }
    }
    let expectedChunks = 0;
    for (const s of streams) {
      for (const h of s.held) expect(s.ring.copyOut(h.offset, h.bytes.byteLength).equals(h.bytes)).toBe(true);
      expect(s.ring.bytes).toBe(s.held.reduce((n, h) => n + h.bytes.byteLength, 0));
      expectedChunks += s.ring.chunkCount;
      // no more chunks than its bytes need, plus a partly used one at each end
      expect(s.ring.chunkCount).toBeLessThanOrEqual(Math.ceil(s.ring.bytes / 1024) + 2);
    }
    expect(pool.chunksInUse).toBe(expectedChunks);
    if (reserveBytes > 0) {
      expect(pool.reservedUnusedBytes).toBe(0); // the reservation was used up
      expect(pool.bytes).toBeGreaterThan(pool.reservedBytes); // and chunks were allocated past it
    }
    for (const s of streams) s.ring.clear();
    expect(pool.chunksInUse).toBe(0);
    expect(pool.reservedBytes).toBe(0); // every carved chunk back: let go
  });
});
