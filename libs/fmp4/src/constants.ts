/** Media timescale of the video track: 90 kHz ticks per second (the MPEG convention). */
export const VIDEO_TIMESCALE = 90000;

/** Track ID of the single video track when the caller gives none. */
export const DEFAULT_TRACK_ID = 1;

/**
 * Sample flags of a sync (IDR) sample, ISO/IEC 14496-12 §8.8.3.1:
 * sample_depends_on = 2 (does not depend on others, I picture), sample_is_non_sync_sample = 0.
 */
export const SAMPLE_FLAGS_SYNC = 0x02000000;

/**
 * Sample flags of a non-sync sample, ISO/IEC 14496-12 §8.8.3.1:
 * sample_depends_on = 1 (depends on others, not an I picture), sample_is_non_sync_sample = 1.
 */
export const SAMPLE_FLAGS_NON_SYNC = 0x01010000;

/** `sample_is_non_sync_sample` bit of the sample flags (ISO/IEC 14496-12 §8.8.3.1). */
export const SAMPLE_FLAG_IS_NON_SYNC = 0x00010000;

/** `tfhd` tf_flags, ISO/IEC 14496-12 §8.8.7.1. */
export const TFHD_BASE_DATA_OFFSET_PRESENT = 0x000001;
export const TFHD_SAMPLE_DESCRIPTION_INDEX_PRESENT = 0x000002;
export const TFHD_DEFAULT_SAMPLE_DURATION_PRESENT = 0x000008;
export const TFHD_DEFAULT_SAMPLE_SIZE_PRESENT = 0x000010;
export const TFHD_DEFAULT_SAMPLE_FLAGS_PRESENT = 0x000020;
export const TFHD_DURATION_IS_EMPTY = 0x010000;
export const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;

/** `trun` tr_flags, ISO/IEC 14496-12 §8.8.8.1. */
export const TRUN_DATA_OFFSET_PRESENT = 0x000001;
export const TRUN_FIRST_SAMPLE_FLAGS_PRESENT = 0x000004;
export const TRUN_SAMPLE_DURATION_PRESENT = 0x000100;
export const TRUN_SAMPLE_SIZE_PRESENT = 0x000200;
export const TRUN_SAMPLE_FLAGS_PRESENT = 0x000400;
export const TRUN_SAMPLE_COMPOSITION_TIME_OFFSETS_PRESENT = 0x000800;

/**
 * `prft` flags written by this library: 24 (0x18), ISO/IEC 14496-12 §8.16.5.3 —
 * "the UTC time has a consistent, small (ideally zero), offset from the real-time
 * of the experience depicted in the media at media_time", i.e. the capture time
 * (DASH `ProducerReferenceTime@type="captured"`). Vigil stamps the screen-capture
 * instant, which is exactly that, so a viewer gets capture-to-glass latency.
 */
export const PRFT_FLAGS_CAPTURED = 0x000018;

/** Largest integer a 64-bit field may hold to round-trip through a JS number (2^53 - 1). */
export const MAX_SAFE_U64 = Number.MAX_SAFE_INTEGER;

/** Largest unsigned 32-bit value. */
export const MAX_U32 = 0xffffffff;
