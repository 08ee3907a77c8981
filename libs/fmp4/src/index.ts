/**
 * @vigil/fmp4 — fragmented MP4 (ISO/IEC 14496-12) writer and reader for one
 * H.264 video track, plus H.264 Annex B / AVCC helpers (ISO/IEC 14496-15).
 * Pure TypeScript: no DOM, no Node APIs, no dependencies. See README.md.
 */
export {
  VIDEO_TIMESCALE,
  DEFAULT_TRACK_ID,
  SAMPLE_FLAGS_SYNC,
  SAMPLE_FLAGS_NON_SYNC,
  PRFT_FLAGS_CAPTURED,
} from './constants';
export { Fmp4Error, type Fmp4ErrorReason } from './errors';
export {
  MAX_SAMPLES_PER_FRAGMENT,
  MAX_CHILD_BOXES,
  MAX_BOX_DEPTH,
  MAX_AVCC_PARAMETER_SETS,
  MAX_DIMENSION,
} from './limits';

export { writeInitSegment, type InitSegmentOptions } from './writer/init-segment';
export { writeFragment, type FragmentOptions, FRAGMENT_OVERHEAD_BYTES } from './writer/fragment';

export { parseInitSegment, type InitSegmentInfo } from './reader/init-segment';
export { parseFragment, type FragmentInfo, type FragmentSampleInfo } from './reader/fragment';
export { fragmentsOfFile, type FileFragment } from './reader/fragments-of-file';
export { readBoxes, readBoxHeader, findBox, childBoxes, boxContent, type BoxHeader } from './reader/boxes';

export { codecStringFromAvcC, parseAvcC, buildAvcC, type AvcDecoderConfig } from './avc/avcc';
export { splitAnnexB, annexBToAvcc, nalusToAvcc, splitAvcc, splitAccessUnits } from './avc/annexb';
export { nalUnitType, NAL_TYPE_IDR, NAL_TYPE_SLICE, NAL_TYPE_SPS, NAL_TYPE_PPS } from './avc/nal';

export { unixMsToNtp, ntpToUnixMs, NTP_UNIX_EPOCH_OFFSET_S, type NtpTimestamp } from './time/ntp';
