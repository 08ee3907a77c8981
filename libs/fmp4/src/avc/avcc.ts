import { Fmp4Error } from '../errors';
import { MAX_AVCC_PARAMETER_SETS } from '../limits';
import { NAL_TYPE_PPS, NAL_TYPE_SPS, nalUnitType } from './nal';

/**
 * Decoded AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3.1).
 * Parameter sets are subarrays of the input record (no copies).
 */
export interface AvcDecoderConfig {
  /** AVCProfileIndication = SPS profile_idc (66 Baseline, 77 Main, 100 High; ITU-T H.264 Annex A). */
  profile: number;
  /** profile_compatibility = the SPS byte holding constraint_set0..5_flag. */
  constraintFlags: number;
  /** AVCLevelIndication = SPS level_idc (31 = level 3.1, 40 = level 4.0). */
  level: number;
  /** Bytes per NAL unit length prefix in samples: 1, 2 or 4. */
  nalLengthSize: 1 | 2 | 4;
  /** Sequence parameter set NAL units (with their 1-byte NAL header). */
  sps: Uint8Array[];
  /** Picture parameter set NAL units (with their 1-byte NAL header). */
  pps: Uint8Array[];
}

/**
 * Parses and validates an AVCDecoderConfigurationRecord (ISO/IEC 14496-15
 * §5.3.3.1.1): configurationVersion 1, lengthSizeMinusOne in {0, 1, 3}, at
 * least one SPS and one PPS, every length inside the record. Bytes after the
 * PPS array (the High-profile chroma/bit-depth extension) are allowed. At
 * most MAX_AVCC_PARAMETER_SETS (4) SPS and 4 PPS (limits.ts).
 *
 * @param boxPath / @param offset where the record sits, for error messages
 *        (defaults: 'avcC', offset 0 of the record).
 * @throws Fmp4Error 'truncated' | 'invalid-field' | 'limit-exceeded'
 */
export function parseAvcC(avcC: Uint8Array, boxPath = 'avcC', offset = 0): AvcDecoderConfig {
  const need = (at: number, n: number): void => {
    if (at + n > avcC.length) throw Fmp4Error.truncated(boxPath, offset + at, n, Math.max(0, avcC.length - at));
  };
  need(0, 7);
  if (avcC[0] !== 1) {
    throw Fmp4Error.invalidField(boxPath, offset, 'configurationVersion', `expected 1, got ${avcC[0]}`);
  }
  const lengthSizeMinusOne = avcC[4] & 0x03;
  if (lengthSizeMinusOne === 2) {
    throw Fmp4Error.invalidField(boxPath, offset + 4, 'lengthSizeMinusOne', 'value 2 (3-byte lengths) is reserved');
  }
  let pos = 6; // after numOfSequenceParameterSets
  const readArray = (count: number, kind: string, nalType: number): Uint8Array[] => {
    if (count > MAX_AVCC_PARAMETER_SETS) {
      throw Fmp4Error.limitExceeded(boxPath, offset + pos - 1, `numOf${kind}s`, count, 'MAX_AVCC_PARAMETER_SETS', MAX_AVCC_PARAMETER_SETS);
    }
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      need(pos, 2);
      const len = (avcC[pos] << 8) | avcC[pos + 1];
      pos += 2;
      need(pos, len);
      const nal = avcC.subarray(pos, pos + len);
      if (len === 0 || nalUnitType(nal) !== nalType) {
        throw Fmp4Error.invalidField(boxPath, offset + pos, `${kind}[${i}]`, `not a NAL unit of type ${nalType}`);
      }
      out.push(nal);
      pos += len;
    }
    if (count === 0) {
      throw Fmp4Error.invalidField(boxPath, offset + pos, `numOf${kind}s`, `an avc1 record needs at least one ${kind}`);
    }
    return out;
  };
  const sps = readArray(avcC[5] & 0x1f, 'SequenceParameterSet', NAL_TYPE_SPS);
  need(pos, 1);
  const ppsCount = avcC[pos];
  pos += 1;
  const pps = readArray(ppsCount, 'PictureParameterSet', NAL_TYPE_PPS);
  return {
    profile: avcC[1],
    constraintFlags: avcC[2],
    level: avcC[3],
    nalLengthSize: (lengthSizeMinusOne + 1) as 1 | 2 | 4,
    sps,
    pps,
  };
}

/**
 * RFC 6381 §3.3 codec string of an AVC track: `'avc1.'` + profile_idc,
 * constraint-flags byte and level_idc as two uppercase hex digits each —
 * bytes 1..3 of the AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3.1).
 * E.g. Constrained Baseline level 3.1 from Chromium -> `'avc1.42C01F'`.
 *
 * Validates the whole record first (see {@link parseAvcC}).
 * @throws Fmp4Error 'truncated' | 'invalid-field'
 */
export function codecStringFromAvcC(avcC: Uint8Array): string {
  return codecStringFromConfig(parseAvcC(avcC));
}

/** RFC 6381 `avc1.PPCCLL` string of an already parsed record (see {@link codecStringFromAvcC}). */
export function codecStringFromConfig(c: AvcDecoderConfig): string {
  return `avc1.${hex2(c.profile)}${hex2(c.constraintFlags)}${hex2(c.level)}`;
}

/** profile_idc values whose avcC must carry the chroma/bit-depth extension (ISO/IEC 14496-15 §5.3.3.1.1). */
const PROFILES_WITH_AVCC_EXTENSION = new Set([100, 110, 122, 144]);

/**
 * Builds an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3.1.1) from
 * one SPS and one PPS NAL unit (each including its 1-byte NAL header, without
 * start code). Profile, constraint byte and level are copied from SPS bytes
 * 1..3 (ITU-T H.264 §7.3.2.1.1); NAL lengths are 4 bytes (lengthSizeMinusOne = 3).
 *
 * Layout: 01 | profile | constraints | level | FF | E1 | u16 spsLen | sps | 01 | u16 ppsLen | pps.
 *
 * @throws Fmp4Error 'invalid-field' (not an SPS / PPS, longer than 65535 bytes),
 *         'unsupported' (High profiles, whose record needs fields parsed from the SPS).
 */
export function buildAvcC(sps: Uint8Array, pps: Uint8Array): Uint8Array {
  if (sps.length < 4 || nalUnitType(sps) !== NAL_TYPE_SPS) {
    throw Fmp4Error.invalidField('avcC', -1, 'sps', 'expected an SPS NAL unit (type 7) of at least 4 bytes');
  }
  if (pps.length < 2 || nalUnitType(pps) !== NAL_TYPE_PPS) {
    throw Fmp4Error.invalidField('avcC', -1, 'pps', 'expected a PPS NAL unit (type 8) of at least 2 bytes');
  }
  if (sps.length > 0xffff || pps.length > 0xffff) {
    throw Fmp4Error.invalidField('avcC', -1, 'parameter set length', 'SPS and PPS must be at most 65535 bytes');
  }
  if (PROFILES_WITH_AVCC_EXTENSION.has(sps[1])) {
    throw Fmp4Error.unsupported(
      'avcC',
      -1,
      `profile_idc ${sps[1]} needs the chroma_format/bit_depth extension; encode Baseline or Main`,
    );
  }
  const out = new Uint8Array(11 + sps.length + pps.length);
  out[0] = 1; // configurationVersion
  out[1] = sps[1]; // AVCProfileIndication = profile_idc
  out[2] = sps[2]; // profile_compatibility = constraint_set flags
  out[3] = sps[3]; // AVCLevelIndication = level_idc
  out[4] = 0xfc | 3; // reserved '111111' + lengthSizeMinusOne = 3
  out[5] = 0xe0 | 1; // reserved '111' + numOfSequenceParameterSets = 1
  out[6] = sps.length >> 8;
  out[7] = sps.length & 0xff;
  out.set(sps, 8);
  let pos = 8 + sps.length;
  out[pos++] = 1; // numOfPictureParameterSets
  out[pos++] = pps.length >> 8;
  out[pos++] = pps.length & 0xff;
  out.set(pps, pos);
  return out;
}

function hex2(v: number): string {
  return v.toString(16).toUpperCase().padStart(2, '0');
}
