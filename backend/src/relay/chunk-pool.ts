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
 * Chunks are `Buffer.allocUnsafeSlow` (each its own memory, not zero-filled): a chunk given back
 * still holds the bytes of the stream that used it, and only {@link ChunkRing} reads them, within
 * the ranges its own stream wrote.
 */
export class ChunkPool {
  private readonly free: Buffer[] = [];
  private allocated = 0;

  /**
   * @param chunkBytes size of every chunk, bytes (default 16 KiB: a 1 fps 1080p stream's
   *   P-frame fragments are 1–3 kB and its IDRs 100–300 kB; a stream's two partly used chunks,
   *   its newest and oldest, are then a few percent of its buffer)
   * @param maxFreeBytes most bytes kept in given-back chunks; beyond it a chunk given back is
   *   left to the garbage collector (default 64 MiB)
   * @throws TypeError when `chunkBytes` is not a whole number from 1024 to 1 MiB, or
   *   `maxFreeBytes` is negative
   */
  constructor(
    readonly chunkBytes = 16 * 1024,
    readonly maxFreeBytes = 64 * 1024 * 1024,
  ) {
    if (!Number.isInteger(chunkBytes) || chunkBytes < 1024 || chunkBytes > 1024 * 1024) throw new TypeError('chunkBytes must be a whole number from 1024 to 1048576');
    if (!(maxFreeBytes >= 0)) throw new TypeError('maxFreeBytes must be >= 0');
  }

  /** Chunks handed out and not given back. */
  get chunksInUse(): number {
    return this.allocated - this.free.length;
  }

  /** Chunks kept for reuse. */
  get chunksFree(): number {
    return this.free.length;
  }

  /** Bytes of every chunk this pool holds (in use and free). */
  get bytes(): number {
    return this.allocated * this.chunkBytes;
  }

  /** A chunk of {@link chunkBytes} bytes; its content is undefined (not zeroed). */
  take(): Buffer {
    const reused = this.free.pop();
    if (reused) return reused;
    this.allocated++;
    return Buffer.allocUnsafeSlow(this.chunkBytes);
  }

  /**
   * Gives a chunk back for reuse. The caller must hold no view of it any more.
   * @throws TypeError for a buffer that is not one of this pool's chunks by size
   */
  give(chunk: Buffer): void {
    if (chunk.byteLength !== this.chunkBytes) throw new TypeError(`not a chunk of this pool: ${chunk.byteLength} bytes, chunks are ${this.chunkBytes}`);
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
