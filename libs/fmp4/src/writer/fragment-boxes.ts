/**
 * Writers for the boxes of a one-sample movie fragment (ISO/IEC 14496-12 §8.8, §8.16.5).
 * All sizes are constants except `mdat`; see README "Fragment layout".
 */
import {
  PRFT_FLAGS_CAPTURED,
  TFHD_DEFAULT_BASE_IS_MOOF,
  TRUN_DATA_OFFSET_PRESENT,
  TRUN_SAMPLE_DURATION_PRESENT,
  TRUN_SAMPLE_FLAGS_PRESENT,
  TRUN_SAMPLE_SIZE_PRESENT,
} from '../constants';
import type { NtpTimestamp } from '../time/ntp';
import { ByteWriter } from './byte-writer';

/** Normalised parameters of one fragment holding one sample (validated by writeFragment). */
export interface FragmentParams {
  sequenceNumber: number;
  trackId: number;
  /** tfdt, 90 kHz ticks (media timescale). */
  baseMediaDecodeTime: number;
  /** Sample duration, media timescale ticks. */
  duration: number;
  /** Sample size in bytes (= mdat payload length). */
  sampleSize: number;
  /** SAMPLE_FLAGS_SYNC or SAMPLE_FLAGS_NON_SYNC. */
  sampleFlags: number;
}

/** trun flags written: data-offset | sample-duration | sample-size | sample-flags = 0x000701. */
export const TRUN_FLAGS =
  TRUN_DATA_OFFSET_PRESENT | TRUN_SAMPLE_DURATION_PRESENT | TRUN_SAMPLE_SIZE_PRESENT | TRUN_SAMPLE_FLAGS_PRESENT;

/** Bytes in `prft`. */
export const PRFT_SIZE = 32;
/**
 * `prft` Producer Reference Time Box v1 (§8.16.5), flags 24 (capture time):
 * reference_track_ID, NTP timestamp (u32 seconds since 1900 + u32 fraction),
 * media_time u64 = the fragment's tfdt. 32 bytes.
 */
export function writePrft(w: ByteWriter, trackId: number, ntp: NtpTimestamp, mediaTime: number): void {
  const end = w.fullBox(PRFT_SIZE, 'prft', 1, PRFT_FLAGS_CAPTURED);
  w.u32(trackId); // reference_track_ID
  w.u32(ntp.seconds);
  w.u32(ntp.fraction);
  w.u64(mediaTime);
  w.end(end, 'prft');
}

/** Bytes in `moof`. */
export const MOOF_SIZE = 8 + 16 + 76; // header + mfhd + traf
/** `moof` Movie Fragment Box (§8.8.4): mfhd, traf. 100 bytes. */
export function writeMoof(w: ByteWriter, p: FragmentParams): void {
  const end = w.box(MOOF_SIZE, 'moof');
  writeMfhd(w, p.sequenceNumber);
  writeTraf(w, p);
  w.end(end, 'moof');
}

/** Bytes in `mfhd`. */
export const MFHD_SIZE = 16;
/** `mfhd` Movie Fragment Header Box v0 (§8.8.5): sequence_number u32. 16 bytes. */
export function writeMfhd(w: ByteWriter, sequenceNumber: number): void {
  const end = w.fullBox(MFHD_SIZE, 'mfhd', 0, 0);
  w.u32(sequenceNumber);
  w.end(end, 'mfhd');
}

/** Bytes in `traf`. */
export const TRAF_SIZE = 8 + 16 + 20 + 32; // header + tfhd + tfdt + trun
/** `traf` Track Fragment Box (§8.8.6): tfhd, tfdt, trun. 76 bytes. */
export function writeTraf(w: ByteWriter, p: FragmentParams): void {
  const end = w.box(TRAF_SIZE, 'traf');
  writeTfhd(w, p.trackId);
  writeTfdt(w, p.baseMediaDecodeTime);
  writeTrun(w, p, MOOF_SIZE + MDAT_HEADER_SIZE);
  w.end(end, 'traf');
}

/** Bytes in `tfhd`. */
export const TFHD_SIZE = 16;
/**
 * `tfhd` Track Fragment Header Box (§8.8.7), flags 0x020000 default-base-is-moof:
 * track_ID only; data offsets count from the first byte of the moof. 16 bytes.
 */
export function writeTfhd(w: ByteWriter, trackId: number): void {
  const end = w.fullBox(TFHD_SIZE, 'tfhd', 0, TFHD_DEFAULT_BASE_IS_MOOF);
  w.u32(trackId);
  w.end(end, 'tfhd');
}

/** Bytes in `tfdt`. */
export const TFDT_SIZE = 20;
/** `tfdt` Track Fragment Decode Time Box v1 (§8.8.12): baseMediaDecodeTime u64, media ticks. 20 bytes. */
export function writeTfdt(w: ByteWriter, baseMediaDecodeTime: number): void {
  const end = w.fullBox(TFDT_SIZE, 'tfdt', 1, 0);
  w.u64(baseMediaDecodeTime);
  w.end(end, 'tfdt');
}

/** Bytes in `trun`. */
export const TRUN_SIZE = 32;
/**
 * `trun` Track Run Box v0 (§8.8.8), flags 0x000701, one sample:
 * sample_count 1, data_offset (from moof start to the mdat payload),
 * sample_duration, sample_size, sample_flags. 32 bytes.
 */
export function writeTrun(w: ByteWriter, p: FragmentParams, dataOffset: number): void {
  const end = w.fullBox(TRUN_SIZE, 'trun', 0, TRUN_FLAGS);
  w.u32(1); // sample_count
  w.i32(dataOffset);
  w.u32(p.duration);
  w.u32(p.sampleSize);
  w.u32(p.sampleFlags);
  w.end(end, 'trun');
}

/** Bytes in the `mdat` header (32-bit size + type). */
export const MDAT_HEADER_SIZE = 8;
/** `mdat` Media Data Box (§8.1.1): 8-byte header + the sample, copied once. */
export function writeMdat(w: ByteWriter, sample: Uint8Array): void {
  const end = w.box(MDAT_HEADER_SIZE + sample.length, 'mdat');
  w.copy(sample);
  w.end(end, 'mdat');
}
