/**
 * Test-only helpers shared by the *.spec.ts files (excluded from the library build).
 */
import { Fmp4Error, type Fmp4ErrorReason } from '../errors';

/** A Constrained Baseline level 3.1 SPS NAL unit: header 0x67, profile_idc 66, constraints 0xC0, level_idc 31, then SPS payload bytes. */
export const SPS = new Uint8Array([0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8]);
/** A PPS NAL unit: header 0x68 + payload. */
export const PPS = new Uint8Array([0x68, 0xce, 0x3c, 0x80]);

/** AVCDecoderConfigurationRecord for SPS/PPS above, written from ISO/IEC 14496-15 §5.3.3.1.1. */
export const AVCC = new Uint8Array([
  0x01, //                 configurationVersion 1
  0x42, //                 AVCProfileIndication 66 (Baseline)
  0xc0, //                 profile_compatibility: constraint_set0 + constraint_set1 (Constrained Baseline)
  0x1f, //                 AVCLevelIndication 31 (level 3.1)
  0xff, //                 reserved '111111' + lengthSizeMinusOne 3 (4-byte NAL lengths)
  0xe1, //                 reserved '111' + numOfSequenceParameterSets 1
  0x00, 0x09, //           sequenceParameterSetLength 9
  ...SPS,
  0x01, //                 numOfPictureParameterSets 1
  0x00, 0x04, //           pictureParameterSetLength 4
  ...PPS,
]);

/** ASCII bytes of a four-character code. */
export function fourcc(type: string): number[] {
  return [...type].map((c) => c.charCodeAt(0));
}

/** Big-endian u32 bytes. */
export function u32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

/** Runs `fn` and returns the Fmp4Error it throws; fails on anything else or on no throw. */
export function catchFmp4(fn: () => unknown): Fmp4Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof Fmp4Error) return e;
    throw new Error(`expected Fmp4Error, got ${String(e)}`);
  }
  throw new Error('expected Fmp4Error, nothing was thrown');
}

/** Asserts `fn` throws an Fmp4Error with `reason` whose message matches `message`. */
export function expectFmp4Error(fn: () => unknown, reason: Fmp4ErrorReason, message: RegExp): Fmp4Error {
  const e = catchFmp4(fn);
  expect({ reason: e.reason, message: e.message }).toEqual({ reason, message: expect.stringMatching(message) });
  return e;
}

/** Concatenates byte arrays. */
export function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}
