import { constants as bufferConstants } from 'node:buffer';

/**
 * Fixed-size blocks of memory for the streams' in-memory buffers, reused from stream to stream
 * (pure: no I/O).
 *
 * Why: a fragment kept in the buffer for its 20–45 s used to keep its own `ArrayBuffer` (the
 * socket read it arrived in). V8 counts the memory outside its heap allocated since the last
 * major collection against the old generation's limit, and such a buffer is freed only by a
 * major collection, so 1 fps 1080p streams (about 11 kB/s each) brought the next one closer
 * at their own rate: each a few hundred milliseconds of marking the whole heap on the server's
 * one core (issue 10). With the buffered bytes copied into pooled chunks, the arrival buffers
 * die young (freed by scavenges) and the chunks are taken and given back instead of allocated
 * and collected. Measured (loadgen, 1,200 Sentinels at 1 fps on one core, 40 s of steady
 * state): memory outside the heap that only a major collection freed grew 12–18 MB/s before,
 * 4–10 MB/s after, and major collections came every 3.4–4.6 s before, every 4.1–6.5 s after.
 *
 * The reservation: V8 counts a new chunk the same way, although it stays in use, so while the
 * buffers fill (an exam starting, streams joining) every ~40 MB of new chunks brought a major
 * collection. So the pool reserves `reserveBytes` once, at its first chunk (one allocation of
 * address space: the operating system backs a page only when a chunk in it is first written),
 * and carves chunks from it; V8 counts the reservation once. Chunks past it are allocated one
 * by one as before. Measured (loadgen, 1,400 Sentinels at 1 fps joining at 50 per second,
 * server under `taskset -c 0`, the first 40 s; 3 runs of each, alternated; V8's `--trace-gc`):
 * 14, 14 and 14 major collections with a 1 GiB reservation, 23, 24 and 26 without (each about
 * 200 ms of incremental marking on the event loop). Once every carved chunk is back, the
 * reservation is let go (its memory returns to the system when collected) and the next chunk
 * reserves anew.
 *
 * Chunks are not zero-filled (`Buffer.allocUnsafeSlow`): a chunk given back still holds the
 * bytes of the stream that used it, and only {@link ChunkRing} reads them, within the ranges
 * its own stream wrote.
 */
export class ChunkPool {
  /** Chunks allocated one by one and given back, kept for reuse. */
  private readonly free: Buffer[] = [];
  /** Chunks allocated one by one and not left to the garbage collector. */
  private allocated = 0;
  /** The reservation chunks are carved from, or null before the first chunk (and after it was let go). */
  private reservation: Buffer | null = null;
  /** Chunks carved from {@link reservation} so far. */
  private carved = 0;
  /** Carved chunks given back, kept for reuse. */
  private readonly carvedFree: Buffer[] = [];
  /** Whether reserving failed (then every chunk is allocated one by one). */
  private reserveFailedValue = false;
  /** Chunks in a reservation. */
  private readonly reserveChunks: number;

  /**
   * @param chunkBytes size of every chunk, bytes (default 16 KiB: a 1 fps 1080p stream's
   *   P-frame fragments are 1–3 kB and its IDRs 100–300 kB; a stream's two partly used chunks,
   *   its newest and oldest, are then a few percent of its buffer)
   * @param maxFreeBytes most bytes kept in given-back chunks allocated one by one; beyond it such
   *   a chunk given back is left to the garbage collector (default 64 MiB)
   * @param reserveBytes bytes reserved at the first chunk, rounded down to whole chunks and at
   *   most the largest buffer Node.js allocates (`buffer.constants.MAX_LENGTH`) (default 0: none;
   *   the registry reserves its whole buffer budget, `VIGIL_BUFFER_TOTAL_BYTES`)
   * @param allocate allocates memory for the reservation and for chunks, not zero-filled (a seam
   *   for tests; default `Buffer.allocUnsafeSlow`). When it throws for the reservation (address
   *   space refused: `RangeError`), chunks are allocated one by one and {@link reserveFailed} is set.
   * @throws TypeError when `chunkBytes` is not a whole number from 1024 to 1 MiB, or
   *   `maxFreeBytes` or `reserveBytes` is negative
   */
  constructor(
    readonly chunkBytes = 16 * 1024,
    readonly maxFreeBytes = 64 * 1024 * 1024,
    reserveBytes = 0,
    private readonly allocate: (bytes: number) => Buffer = (bytes) => Buffer.allocUnsafeSlow(bytes),
  ) {
    if (!Number.isInteger(chunkBytes) || chunkBytes < 1024 || chunkBytes > 1024 * 1024) throw new TypeError('chunkBytes must be a whole number from 1024 to 1048576');
    if (!(maxFreeBytes >= 0)) throw new TypeError('maxFreeBytes must be >= 0');
    if (!(reserveBytes >= 0)) throw new TypeError('reserveBytes must be >= 0');
    this.reserveChunks = Math.floor(Math.min(reserveBytes, bufferConstants.MAX_LENGTH) / chunkBytes);
  }

  /** Chunks handed out and not given back. */
  get chunksInUse(): number {
    return this.allocated - this.free.length + this.carved - this.carvedFree.length;
  }

  /** Chunks kept for reuse. */
  get chunksFree(): number {
    return this.free.length + this.carvedFree.length;
  }

  /** Bytes of every chunk this pool holds (in use and free; not the part of a reservation no chunk was carved from yet). */
  get bytes(): number {
    return (this.allocated + this.carved) * this.chunkBytes;
  }

  /** Bytes reserved now (0: none yet, let go, or refused). */
  get reservedBytes(): number {
    return this.reservation?.byteLength ?? 0;
  }

  /** Bytes of the reservation no chunk was carved from yet: address space only, not memory in use. */
  get reservedUnusedBytes(): number {
    return this.reservation ? this.reservation.byteLength - this.carved * this.chunkBytes : 0;
  }

  /** Whether reserving was refused (chunks are then allocated one by one). */
  get reserveFailed(): boolean {
    return this.reserveFailedValue;
  }

  /** A chunk of {@link chunkBytes} bytes; its content is undefined (not zeroed). */
  take(): Buffer {
    const reused = this.carvedFree.pop();
    if (reused) return reused;
    if (this.reserveChunks > 0 && !this.reserveFailedValue) {
      if (!this.reservation) {
        try {
          this.reservation = this.allocate(this.reserveChunks * this.chunkBytes);
        } catch {
          this.reserveFailedValue = true;
        }
      }
      if (this.reservation && this.carved < this.reserveChunks) {
        const at = this.carved++ * this.chunkBytes;
        return this.reservation.subarray(at, at + this.chunkBytes);
      }
    }
    const kept = this.free.pop();
    if (kept) return kept;
    this.allocated++;
    return this.allocate(this.chunkBytes);
  }

  /**
   * Gives a chunk back for reuse. The caller must hold no view of it any more.
   * @throws TypeError for a buffer that is not one of this pool's chunks by size
   */
  give(chunk: Buffer): void {
    if (chunk.byteLength !== this.chunkBytes) throw new TypeError(`not a chunk of this pool: ${chunk.byteLength} bytes, chunks are ${this.chunkBytes}`);
    if (this.reservation && chunk.buffer === this.reservation.buffer) {
      this.carvedFree.push(chunk);
      if (this.carvedFree.length === this.carved) {
        // every carved chunk is back: let the reservation go
        this.reservation = null;
        this.carved = 0;
        this.carvedFree.length = 0;
      }
      return;
    }
    if ((this.free.length + 1) * this.chunkBytes > this.maxFreeBytes) {
      this.allocated--; // left to the garbage collector
      return;
    }
    this.free.push(chunk);
  }
}

/**
 * One stream's buffered bytes, first in first out, copied into {@link ChunkPool} chunks
 * (pure: no I/O). Ranges are addressed by absolute offsets: bytes appended since the ring was
 * created or last cleared. Chunk `i` of the ring holds the offsets
 * `[start + i × chunkBytes, start + (i + 1) × chunkBytes)`; a range may span chunks.
 */
export class ChunkRing {
  private readonly chunks: Buffer[] = [];
  /** Absolute offset of the first byte of `chunks[0]`. */
  private start = 0;
  /** Absolute offset of the next byte appended. */
  private end = 0;
  /** Absolute offset below which bytes were released (they may still sit in `chunks[0]`). */
  private released = 0;

  constructor(private readonly pool: ChunkPool) {}

  /** Bytes appended and not released. */
  get bytes(): number {
    return this.end - this.released;
  }

  /** Chunks held (each `pool.chunkBytes`). */
  get chunkCount(): number {
    return this.chunks.length;
  }

  /**
   * Copies `data` in at the end.
   * @returns the absolute offset of its first byte
   */
  append(data: Uint8Array): number {
    const at = this.end;
    const size = this.pool.chunkBytes;
    let copied = 0;
    while (copied < data.byteLength) {
      const used = this.end - this.start;
      if (used === this.chunks.length * size) this.chunks.push(this.pool.take()); // the last chunk is full
      const inChunk = used % size;
      const chunk = this.chunks[(used - inChunk) / size];
      const n = Math.min(size - inChunk, data.byteLength - copied);
      chunk.set(data.subarray(copied, copied + n), inChunk);
      copied += n;
      this.end += n;
    }
    return at;
  }

  /**
   * A new buffer holding the bytes at `[offset, offset + length)`.
   * @throws RangeError when the range is not wholly within what is held (released or not yet
   *   appended): never a byte of another stream's old content
   */
  copyOut(offset: number, length: number): Buffer {
    if (!(Number.isInteger(offset) && Number.isInteger(length) && length >= 0 && offset >= this.released && offset + length <= this.end)) {
      throw new RangeError(`bytes ${offset}..${offset + length} are not held (held: ${this.released}..${this.end})`);
    }
    const out = Buffer.allocUnsafe(length);
    const size = this.pool.chunkBytes;
    let copied = 0;
    while (copied < length) {
      const at = offset + copied - this.start;
      const inChunk = at % size;
      const n = Math.min(size - inChunk, length - copied);
      out.set(this.chunks[(at - inChunk) / size].subarray(inChunk, inChunk + n), copied);
      copied += n;
    }
    return out;
  }

  /**
   * Releases every byte before absolute `offset`: chunks wholly before it go back to the pool.
   * An offset at or below what is released already does nothing.
   * @throws RangeError past the end
   */
  releaseBefore(offset: number): void {
    if (offset > this.end) throw new RangeError(`cannot release up to ${offset}: only ${this.end} bytes appended`);
    if (offset <= this.released) return;
    this.released = offset;
    const size = this.pool.chunkBytes;
    while (this.chunks.length > 0 && this.start + size <= offset) {
      this.pool.give(this.chunks.shift()!);
      this.start += size;
    }
  }

  /** Releases everything; offsets go on from where they were. */
  clear(): void {
    this.releaseBefore(this.end);
    for (const chunk of this.chunks) this.pool.give(chunk);
    this.chunks.length = 0;
    this.start = this.end;
  }
}
