import { Fmp4Error } from '../errors';
import { NAL_TYPE_AUD, NAL_TYPE_IDR, NAL_TYPE_PPS, NAL_TYPE_SEI, NAL_TYPE_SLICE, NAL_TYPE_SPS, nalUnitType } from './nal';

/**
 * Splits an H.264 Annex B byte stream (ITU-T H.264 Annex B.1: NAL units
 * separated by start codes 00 00 01 or 00 00 00 01) into NAL units.
 *
 * Returns subarrays of `annexB` (no copies), each starting with the NAL
 * header byte. Zero bytes before a start code (zero_byte, trailing_zero_8bits)
 * are dropped: a NAL unit never ends in 0x00 (§7.4.1). Empty NAL units are
 * skipped; empty input gives []. Leading zero bytes are allowed.
 *
 * @throws Fmp4Error 'invalid-field' if non-zero bytes precede the first start code.
 */
export function splitAnnexB(annexB: Uint8Array): Uint8Array[] {
  const nalus: Uint8Array[] = [];
  const n = annexB.length;
  let start = -1; // first byte of the current NAL unit, -1 before the first start code
  let zeros = 0; // run of 0x00 bytes just before position i
  for (let i = 0; i < n; i++) {
    const b = annexB[i];
    if (b === 0) {
      zeros++;
      continue;
    }
    if (b === 1 && zeros >= 2) {
      if (start >= 0 && i - zeros > start) nalus.push(annexB.subarray(start, i - zeros));
      start = i + 1;
    } else if (start < 0) {
      throw Fmp4Error.invalidField('', i, 'Annex B stream', 'data before the first start code (00 00 01)');
    }
    zeros = 0;
  }
  if (start >= 0 && n - zeros > start) nalus.push(annexB.subarray(start, n - zeros));
  return nalus;
}

/**
 * Writes NAL units in AVCC form (ISO/IEC 14496-15 §5.3.2: each NAL unit
 * prefixed by its length as a 4-byte big-endian integer) into one new buffer.
 * This is the sample format of an `avc1` track with lengthSizeMinusOne = 3.
 */
export function nalusToAvcc(nalus: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const nal of nalus) size += 4 + nal.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let pos = 0;
  for (const nal of nalus) {
    view.setUint32(pos, nal.length);
    out.set(nal, pos + 4);
    pos += 4 + nal.length;
  }
  return out;
}

/**
 * Converts an Annex B access unit (start-code delimited, ITU-T H.264 Annex B)
 * to an AVCC sample (4-byte length prefixes, ISO/IEC 14496-15 §5.3.2).
 * Every NAL unit is kept, including SPS/PPS/AUD; filter with
 * {@link splitAnnexB} + {@link nalusToAvcc} to drop some.
 *
 * @throws Fmp4Error 'invalid-field' (see {@link splitAnnexB})
 */
export function annexBToAvcc(annexB: Uint8Array): Uint8Array {
  return nalusToAvcc(splitAnnexB(annexB));
}

/**
 * Splits an AVCC sample (NAL units with `lengthSize`-byte big-endian length
 * prefixes, ISO/IEC 14496-15 §5.3.2) into NAL unit subarrays (no copies).
 *
 * @throws Fmp4Error 'truncated' when a length prefix points past the end,
 *         'invalid-field' for a zero length.
 */
export function splitAvcc(sample: Uint8Array, lengthSize: 1 | 2 | 4 = 4): Uint8Array[] {
  const nalus: Uint8Array[] = [];
  let pos = 0;
  while (pos < sample.length) {
    if (pos + lengthSize > sample.length) {
      throw Fmp4Error.truncated('', pos, lengthSize, sample.length - pos);
    }
    let len = 0;
    for (let i = 0; i < lengthSize; i++) len = len * 256 + sample[pos + i];
    pos += lengthSize;
    if (len === 0) throw Fmp4Error.invalidField('', pos - lengthSize, 'NAL unit length', 'zero');
    if (pos + len > sample.length) throw Fmp4Error.truncated('', pos, len, sample.length - pos);
    nalus.push(sample.subarray(pos, pos + len));
    pos += len;
  }
  return nalus;
}

/**
 * Groups NAL units (in decoding order) into access units, following the
 * "first of the NAL units of a new primary picture" rules of ITU-T H.264
 * §7.4.1.2.3 for streams with one slice group and slices in order: a new
 * access unit starts at an AUD, SEI, SPS or PPS, or at a slice whose
 * first_mb_in_slice is 0, once the current access unit holds a slice.
 * (Arbitrary slice order, allowed in Baseline, is not detected.)
 *
 * Returns arrays of the given subarrays (no copies).
 */
export function splitAccessUnits(nalus: readonly Uint8Array[]): Uint8Array[][] {
  const units: Uint8Array[][] = [];
  let current: Uint8Array[] = [];
  let hasSlice = false;
  for (const nal of nalus) {
    const type = nalUnitType(nal);
    const isSlice = type === NAL_TYPE_SLICE || type === NAL_TYPE_IDR;
    const startsPicture =
      type === NAL_TYPE_AUD ||
      type === NAL_TYPE_SEI ||
      type === NAL_TYPE_SPS ||
      type === NAL_TYPE_PPS ||
      (type >= 14 && type <= 18) ||
      // first_mb_in_slice is ue(v) right after the NAL header; value 0 is the single bit '1'.
      (isSlice && nal.length > 1 && (nal[1] & 0x80) !== 0);
    if (hasSlice && startsPicture) {
      units.push(current);
      current = [];
      hasSlice = false;
    }
    current.push(nal);
    if (isSlice) hasSlice = true;
  }
  if (current.length > 0) units.push(current);
  return units;
}
