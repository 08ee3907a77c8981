import { DEFAULT_TRACK_ID, MAX_U32, SAMPLE_FLAGS_NON_SYNC, SAMPLE_FLAGS_SYNC } from '../constants';
import { unixMsToNtp } from '../time/ntp';
import { ByteWriter } from './byte-writer';
import { MDAT_HEADER_SIZE, MOOF_SIZE, PRFT_SIZE, writeMdat, writeMoof, writePrft } from './fragment-boxes';
import { checkBytes, checkU32, checkU64 } from './validate';

/** Options of {@link writeFragment}. */
export interface FragmentOptions {
  /** mfhd sequence_number, u32 >= 1. Vigil uses the wire sequence number. */
  sequenceNumber: number;
  /** tfdt v1: 90 kHz ticks since stream start (integer, 0..2^53-1). */
  baseMediaDecodeTime: number;
  /** Sample duration in 90 kHz ticks (integer, 1..2^32-1). */
  duration: number;
  /** IDR sample -> sample_depends_on 2, non_sync 0; else depends_on 1, non_sync 1. */
  isSync: boolean;
  /** One access unit, AVCC (4-byte length-prefixed NAL units), 1..2^32-9 bytes. */
  sample: Uint8Array;
  /** Unix epoch milliseconds (fractional allowed) of capture -> prft NTP timestamp. No prft when absent. */
  captureTimeMs?: number;
  /** Track ID, u32 >= 1. Default 1. */
  trackId?: number;
}

/** Bytes a fragment adds around its sample: prft 32 + moof 100 + mdat header 8 (108 without prft). */
export const FRAGMENT_OVERHEAD_BYTES = PRFT_SIZE + MOOF_SIZE + MDAT_HEADER_SIZE;

/**
 * Writes one movie fragment holding one sample (ISO/IEC 14496-12 §8.8, §8.16.5):
 * [prft v1] + moof(mfhd, traf(tfhd default-base-is-moof, tfdt v1, trun)) + mdat.
 * `prft` is written when `captureTimeMs` is given, before the moof it
 * describes. trun data_offset = 108 (moof size + mdat header).
 *
 * One allocation of `sample.length + 140` bytes (108 without prft); the
 * sample is copied once. The sample content is not inspected.
 *
 * @throws TypeError for out-of-range options.
 */
export function writeFragment(o: FragmentOptions): Uint8Array {
  const sample = checkBytes('sample', o.sample, 1);
  if (sample.length > MAX_U32 - MDAT_HEADER_SIZE) {
    throw new TypeError(`sample must be at most ${MAX_U32 - MDAT_HEADER_SIZE} bytes, got ${sample.length}`);
  }
  if (typeof o.isSync !== 'boolean') throw new TypeError(`isSync must be a boolean, got ${String(o.isSync)}`);
  const p = {
    sequenceNumber: checkU32('sequenceNumber', o.sequenceNumber, 1),
    trackId: checkU32('trackId', o.trackId ?? DEFAULT_TRACK_ID, 1),
    baseMediaDecodeTime: checkU64('baseMediaDecodeTime', o.baseMediaDecodeTime),
    duration: checkU32('duration', o.duration, 1),
    sampleSize: sample.length,
    sampleFlags: o.isSync ? SAMPLE_FLAGS_SYNC : SAMPLE_FLAGS_NON_SYNC,
  };
  const ntp = o.captureTimeMs === undefined ? null : unixMsToNtp(o.captureTimeMs);
  const w = new ByteWriter((ntp ? PRFT_SIZE : 0) + MOOF_SIZE + MDAT_HEADER_SIZE + sample.length);
  if (ntp) writePrft(w, p.trackId, ntp, p.baseMediaDecodeTime);
  writeMoof(w, p);
  writeMdat(w, sample);
  w.end(w.bytes.length, 'fragment');
  return w.bytes;
}
