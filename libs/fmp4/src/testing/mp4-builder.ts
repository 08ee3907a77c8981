/**
 * Test-only box builders: assemble arbitrary (also invalid) ISO BMFF boxes
 * from field bytes, independent of the library's writers.
 */
import { fourcc, u32 } from './fixtures';

/** Box header (32-bit size) + body parts. */
export function box(type: string, ...body: ArrayLike<number>[]): number[] {
  const content = body.flatMap((b) => Array.from(b));
  return [...u32(8 + content.length), ...fourcc(type), ...content];
}

/** FullBox: header + version u8 + flags u24 + body parts. */
export function fullBox(type: string, version: number, flags: number, ...body: ArrayLike<number>[]): number[] {
  return box(type, [version, (flags >> 16) & 0xff, (flags >> 8) & 0xff, flags & 0xff], ...body);
}

/** Big-endian u64 bytes of a safe integer. */
export function u64(v: number): number[] {
  const hi = Math.floor(v / 2 ** 32);
  return [...u32(hi), ...u32(v - hi * 2 ** 32)];
}

/** Overwrites the four-character type of the box starting at `start`. */
export function renameBox(data: Uint8Array, start: number, type: string): Uint8Array {
  const out = data.slice();
  out.set(fourcc(type), start + 4);
  return out;
}

/** Copy of `data` with a big-endian u32 written at `offset`. */
export function patchU32(data: Uint8Array, offset: number, value: number): Uint8Array {
  const out = data.slice();
  new DataView(out.buffer).setUint32(offset, value);
  return out;
}
