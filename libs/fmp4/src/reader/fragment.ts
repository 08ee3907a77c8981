import {
  SAMPLE_FLAG_IS_NON_SYNC,
  TFHD_BASE_DATA_OFFSET_PRESENT,
  TFHD_DEFAULT_SAMPLE_DURATION_PRESENT,
  TFHD_DEFAULT_SAMPLE_FLAGS_PRESENT,
  TFHD_DEFAULT_SAMPLE_SIZE_PRESENT,
  TFHD_SAMPLE_DESCRIPTION_INDEX_PRESENT,
  TRUN_DATA_OFFSET_PRESENT,
  TRUN_FIRST_SAMPLE_FLAGS_PRESENT,
  TRUN_SAMPLE_COMPOSITION_TIME_OFFSETS_PRESENT,
  TRUN_SAMPLE_DURATION_PRESENT,
  TRUN_SAMPLE_FLAGS_PRESENT,
  TRUN_SAMPLE_SIZE_PRESENT,
} from '../constants';
import { Fmp4Error } from '../errors';
import { MAX_SAMPLES_PER_FRAGMENT } from '../limits';
import { ntpToUnixMs } from '../time/ntp';
import { type BoxHeader, childBoxes, readBoxHeader } from './boxes';
import { FieldReader, viewOf } from './field-reader';

/** One sample of a fragment (from trun, or tfhd defaults). */
export interface FragmentSampleInfo {
  /** Bytes in mdat. */
  size: number;
  /** Media timescale ticks (90 kHz for Vigil). */
  duration: number;
  /** sample_is_non_sync_sample == 0 (ISO/IEC 14496-12 §8.8.3.1). */
  isSync: boolean;
}

/** What {@link parseFragment} reports about a fragment. */
export interface FragmentInfo {
  /** mfhd sequence_number. */
  sequenceNumber: number;
  /** tfhd track_ID. */
  trackId: number;
  /** tfdt baseMediaDecodeTime, media timescale ticks (90 kHz). */
  baseMediaDecodeTime: number;
  /** Sum of sample durations, ticks. */
  duration: number;
  sampleCount: number;
  samples: FragmentSampleInfo[];
  /** First sample is a sync sample: a viewer can start decoding here (join fragment). */
  isSync: boolean;
  /** prft NTP timestamp as Unix epoch ms (fractional); null when there is no prft. */
  captureTimeMs: number | null;
  /** Bytes of the fragment (= input length). */
  byteLength: number;
}

/**
 * Parses and validates one movie fragment (ISO/IEC 14496-12 §8.8, §8.16.5):
 * an optional `prft`, one `moof`, one `mdat`, nothing after. The moof must
 * hold `mfhd` and exactly one `traf` with `tfhd`, `tfdt` and exactly one
 * `trun`; samples take duration/size/flags from the trun, else from the tfhd
 * defaults (the trex of the init segment is not consulted). The trun
 * data_offset (relative to the moof: default-base-is-moof, or the implicit
 * base of the first traf) must point at the mdat payload and the sample sizes
 * must add up to exactly the payload length. At most
 * {@link MAX_SAMPLES_PER_FRAGMENT} samples (Vigil: one frame per fragment),
 * at most MAX_CHILD_BOXES boxes per container, checked before any
 * per-sample work, so the cost does not grow with what the input declares.
 *
 * @throws Fmp4Error — 'truncated', 'bad-box-size', 'missing-box', 'unsupported'
 *         (base_data_offset, several trafs/truns, 64-bit times > 2^53-1),
 *         'invalid-field', 'trailing-bytes', 'limit-exceeded'; the message names
 *         box path and offset.
 */
export function parseFragment(data: Uint8Array): FragmentInfo {
  if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
  const view = viewOf(data);
  let prft: BoxHeader | null = null;
  let moof: BoxHeader | null = null;
  let mdat: BoxHeader | null = null;
  for (let offset = 0; offset < data.length; ) {
    if (mdat !== null) throw Fmp4Error.trailingBytes(offset, data.length - offset, `mdat at offset ${mdat.start}`);
    const box = readBoxHeader(data, offset, data.length);
    if (box.type === 'prft' && prft === null && moof === null) prft = box;
    else if (box.type === 'moof' && moof === null) moof = box;
    else if (box.type === 'mdat' && moof !== null) mdat = box;
    else if (box.type === 'mdat') throw Fmp4Error.missingBox('', 'moof', 0);
    else {
      throw Fmp4Error.unsupported(box.path, box.start, `box '${box.type}' here; a fragment is [prft] moof mdat`);
    }
    offset = box.end;
  }
  if (moof === null) throw Fmp4Error.missingBox('', 'moof', 0);
  if (mdat === null) throw Fmp4Error.missingBox('', 'mdat', moof.end);

  let mfhd: BoxHeader | null = null;
  const trafs: BoxHeader[] = [];
  for (const box of childBoxes(data, moof)) {
    if (box.type === 'mfhd' && mfhd === null) mfhd = box;
    else if (box.type === 'traf') trafs.push(box);
  }
  if (mfhd === null) throw Fmp4Error.missingBox(moof.path, 'mfhd', moof.contentStart);
  if (trafs.length === 0) throw Fmp4Error.missingBox(moof.path, 'traf', moof.contentStart);
  if (trafs.length > 1) throw Fmp4Error.unsupported(moof.path, moof.start, `${trafs.length} traf boxes; expected one track`);
  const traf = trafs[0];

  const mfhdReader = new FieldReader(data, view, mfhd);
  mfhdReader.expectVersion(mfhdReader.fullBox().version, [0]);
  const sequenceNumber = mfhdReader.u32();

  let tfhd: BoxHeader | null = null;
  let tfdt: BoxHeader | null = null;
  const truns: BoxHeader[] = [];
  for (const box of childBoxes(data, traf)) {
    if (box.type === 'tfhd' && tfhd === null) tfhd = box;
    else if (box.type === 'tfdt' && tfdt === null) tfdt = box;
    else if (box.type === 'trun') truns.push(box);
  }
  if (tfhd === null) throw Fmp4Error.missingBox(traf.path, 'tfhd', traf.contentStart);
  if (tfdt === null) throw Fmp4Error.missingBox(traf.path, 'tfdt', traf.contentStart);
  if (truns.length === 0) throw Fmp4Error.missingBox(traf.path, 'trun', traf.contentStart);
  if (truns.length > 1) throw Fmp4Error.unsupported(traf.path, traf.start, `${truns.length} trun boxes; expected one`);
  const trun = truns[0];

  // tfhd (§8.8.7)
  const th = new FieldReader(data, view, tfhd);
  const thFlags = th.fullBox().flags;
  const trackId = th.u32();
  if (thFlags & TFHD_BASE_DATA_OFFSET_PRESENT) {
    throw Fmp4Error.unsupported(tfhd.path, tfhd.start, 'base-data-offset-present; write default-base-is-moof instead');
  }
  if (thFlags & TFHD_SAMPLE_DESCRIPTION_INDEX_PRESENT) th.skip(4);
  const defaultDuration = thFlags & TFHD_DEFAULT_SAMPLE_DURATION_PRESENT ? th.u32() : null;
  const defaultSize = thFlags & TFHD_DEFAULT_SAMPLE_SIZE_PRESENT ? th.u32() : null;
  const defaultFlags = thFlags & TFHD_DEFAULT_SAMPLE_FLAGS_PRESENT ? th.u32() : null;

  // tfdt (§8.8.12)
  const td = new FieldReader(data, view, tfdt);
  const tdVersion = td.fullBox().version;
  td.expectVersion(tdVersion, [0, 1]);
  const baseMediaDecodeTime = tdVersion === 1 ? td.u64('baseMediaDecodeTime') : td.u32();

  // trun (§8.8.8)
  const tr = new FieldReader(data, view, trun);
  const { version: trVersion, flags: trFlags } = tr.fullBox();
  tr.expectVersion(trVersion, [0, 1]);
  const countAt = tr.pos;
  const sampleCount = tr.u32();
  if (sampleCount === 0) throw Fmp4Error.invalidField(trun.path, countAt, 'sample_count', 'is 0; a fragment carries samples');
  const dataOffsetAt = tr.pos;
  const dataOffset = trFlags & TRUN_DATA_OFFSET_PRESENT ? tr.i32() : 0;
  const firstSampleFlags = trFlags & TRUN_FIRST_SAMPLE_FLAGS_PRESENT ? tr.u32() : null;
  const hasDuration = (trFlags & TRUN_SAMPLE_DURATION_PRESENT) !== 0;
  const hasSize = (trFlags & TRUN_SAMPLE_SIZE_PRESENT) !== 0;
  const hasFlags = (trFlags & TRUN_SAMPLE_FLAGS_PRESENT) !== 0;
  const hasCto = (trFlags & TRUN_SAMPLE_COMPOSITION_TIME_OFFSETS_PRESENT) !== 0;
  const bytesPerSample = 4 * (Number(hasDuration) + Number(hasSize) + Number(hasFlags) + Number(hasCto));
  // Bounds before any per-sample work: a fragment is one frame (limits.ts), and the table must fit.
  if (sampleCount > MAX_SAMPLES_PER_FRAGMENT) {
    throw Fmp4Error.limitExceeded(trun.path, countAt, 'sample_count', sampleCount, 'MAX_SAMPLES_PER_FRAGMENT', MAX_SAMPLES_PER_FRAGMENT);
  }
  tr.need(sampleCount * bytesPerSample);
  if (moof.start + dataOffset !== mdat.contentStart) {
    throw Fmp4Error.invalidField(
      trun.path,
      dataOffsetAt,
      'data_offset',
      `${dataOffset} points at offset ${moof.start + dataOffset}, but the mdat payload starts at ${mdat.contentStart}`,
    );
  }
  const missing = (field: string, dflt: string): Fmp4Error =>
    Fmp4Error.invalidField(trun.path, trun.start, field, `absent from trun and tfhd has no ${dflt}`);
  if (!hasDuration && defaultDuration === null) throw missing('sample_duration', 'default_sample_duration');
  if (!hasSize && defaultSize === null) throw missing('sample_size', 'default_sample_size');
  if (!hasFlags && defaultFlags === null && (firstSampleFlags === null || sampleCount > 1)) {
    throw missing('sample_flags', 'default_sample_flags');
  }

  const samples: FragmentSampleInfo[] = new Array(sampleCount);
  let duration = 0;
  let totalSize = 0;
  for (let i = 0; i < sampleCount; i++) {
    const d = hasDuration ? tr.u32() : (defaultDuration as number);
    const size = hasSize ? tr.u32() : (defaultSize as number);
    let flags = hasFlags ? tr.u32() : (defaultFlags as number);
    if (hasCto) tr.skip(4);
    if (i === 0 && firstSampleFlags !== null) flags = firstSampleFlags;
    samples[i] = { size, duration: d, isSync: (flags & SAMPLE_FLAG_IS_NON_SYNC) === 0 };
    duration += d;
    totalSize += size;
  }

  const payloadLength = mdat.end - mdat.contentStart;
  if (totalSize !== payloadLength) {
    throw Fmp4Error.invalidField(
      trun.path,
      trun.start,
      'sample sizes',
      `sum to ${totalSize} bytes, but the mdat at offset ${mdat.start} holds ${payloadLength}`,
    );
  }

  let captureTimeMs: number | null = null;
  if (prft !== null) {
    // prft (§8.16.5): reference_track_ID, ntp_timestamp (u32 s + u32 fraction), media_time.
    const pr = new FieldReader(data, view, prft);
    const prVersion = pr.fullBox().version;
    pr.expectVersion(prVersion, [0, 1]);
    pr.skip(4);
    const seconds = pr.u32();
    const fraction = pr.u32();
    pr.skip(prVersion === 1 ? 8 : 4);
    captureTimeMs = ntpToUnixMs(seconds, fraction);
  }

  return {
    sequenceNumber,
    trackId,
    baseMediaDecodeTime,
    duration,
    sampleCount,
    samples,
    isSync: samples[0].isSync,
    captureTimeMs,
    byteLength: data.length,
  };
}
