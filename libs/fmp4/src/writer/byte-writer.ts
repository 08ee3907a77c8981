/**
 * Big-endian writer over one preallocated Uint8Array (ISO/IEC 14496-12 §4.2:
 * all box fields are big-endian). The caller computes the exact byte length
 * first; every box writer then appends into the same buffer, so a segment
 * costs one allocation and the sample bytes are copied once.
 *
 * The buffer starts zero-filled, so `skip(n)` writes n reserved zero bytes.
 */
export class ByteWriter {
  /** The output; exactly `byteLength` bytes. */
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  /** Next write position, bytes from the start of `bytes`. */
  pos = 0;

  /** @param byteLength exact size of the output in bytes */
  constructor(byteLength: number) {
    this.bytes = new Uint8Array(byteLength);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Unsigned 8-bit. */
  u8(v: number): void {
    this.view.setUint8(this.pos, v);
    this.pos += 1;
  }

  /** Unsigned 16-bit, big-endian. */
  u16(v: number): void {
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }

  /** Unsigned 32-bit, big-endian. */
  u32(v: number): void {
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }

  /** Signed 32-bit (two's complement), big-endian. */
  i32(v: number): void {
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }

  /** Unsigned 64-bit from a non-negative safe integer (<= 2^53 - 1). */
  u64(v: number): void {
    const hi = Math.floor(v / 0x100000000);
    this.view.setUint32(this.pos, hi);
    this.view.setUint32(this.pos + 4, v - hi * 0x100000000);
    this.pos += 8;
  }

  /** Four-character code (ISO/IEC 14496-12 §4.2 `unsigned int(32) type`), ASCII. */
  fourcc(type: string): void {
    for (let i = 0; i < 4; i++) this.bytes[this.pos + i] = type.charCodeAt(i);
    this.pos += 4;
  }

  /** Leaves `n` zero bytes (reserved / pre_defined fields). */
  skip(n: number): void {
    this.pos += n;
  }

  /** Copies `src` verbatim. */
  copy(src: Uint8Array): void {
    this.bytes.set(src, this.pos);
    this.pos += src.length;
  }

  /**
   * Writes a compact box header (32-bit size + type, ISO/IEC 14496-12 §4.2)
   * and returns the offset where the box must end.
   */
  box(size: number, type: string): number {
    const end = this.pos + size;
    this.u32(size);
    this.fourcc(type);
    return end;
  }

  /** Writes a FullBox header (box header + version u8 + flags u24, §4.2) and returns the box end. */
  fullBox(size: number, type: string, version: number, flags: number): number {
    const end = this.box(size, type);
    this.u32(((version << 24) | (flags & 0xffffff)) >>> 0);
    return end;
  }

  /**
   * Asserts that a box wrote exactly the size its header declared. A mismatch
   * is a bug in this library (size function and writer disagree), not bad input.
   */
  end(boxEnd: number, type: string): void {
    if (this.pos !== boxEnd) {
      throw new Error(`fmp4 internal error: '${type}' ends at ${this.pos}, its header declares ${boxEnd}`);
    }
  }
}
