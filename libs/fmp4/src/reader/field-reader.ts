import { Fmp4Error } from '../errors';
import type { BoxHeader } from './boxes';

/**
 * Bounds-checked big-endian cursor over the content of one box. Every read
 * checks against the box end and throws Fmp4Error('truncated') naming the
 * box path and offset instead of reading past it.
 */
export class FieldReader {
  /** Current offset into `data`. */
  pos: number;
  private readonly end: number;
  private readonly path: string;

  constructor(
    private readonly data: Uint8Array,
    private readonly view: DataView,
    box: BoxHeader,
  ) {
    this.pos = box.contentStart;
    this.end = box.end;
    this.path = box.path;
  }

  /** Throws 'truncated' unless `n` more bytes lie inside the box. */
  need(n: number): void {
    if (this.pos + n > this.end) throw Fmp4Error.truncated(this.path, this.pos, n, this.end - this.pos);
  }

  /** Bytes left in the box. */
  get remaining(): number {
    return this.end - this.pos;
  }

  u8(): number {
    this.need(1);
    return this.data[this.pos++];
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  /** Unsigned 64-bit; throws 'unsupported' above 2^53-1 (not exact as a JS number). */
  u64(field: string): number {
    this.need(8);
    const hi = this.view.getUint32(this.pos);
    const lo = this.view.getUint32(this.pos + 4);
    if (hi > 0x1fffff) throw Fmp4Error.unsupported(this.path, this.pos, `${field} above 2^53-1`);
    this.pos += 8;
    return hi * 0x100000000 + lo;
  }

  fourcc(): string {
    this.need(4);
    const d = this.data;
    const p = this.pos;
    this.pos += 4;
    return String.fromCharCode(d[p], d[p + 1], d[p + 2], d[p + 3]);
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** FullBox version (u8) and flags (u24), ISO/IEC 14496-12 §4.2. */
  fullBox(): { version: number; flags: number } {
    const v = this.u32();
    return { version: v >>> 24, flags: v & 0xffffff };
  }

  /** Throws 'unsupported' unless `version` is one of `allowed`. */
  expectVersion(version: number, allowed: readonly number[]): void {
    if (!allowed.includes(version)) {
      throw Fmp4Error.unsupported(this.path, this.pos - 4, `version ${version} (supported: ${allowed.join(', ')})`);
    }
  }
}

/** DataView over exactly the bytes of `data` (respects byteOffset). */
export function viewOf(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}
