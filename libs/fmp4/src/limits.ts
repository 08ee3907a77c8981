/**
 * Bounds the parsers enforce before doing any per-sample or per-box work, so
 * the cost of parsing any input is small and does not depend on what the
 * input declares (ISSUE 8, finding 5: parser amplification).
 *
 * They follow from Vigil's design (docs/architecture.md, shared/spec/DESIGN.md):
 * one fragment carries one frame, one init segment carries one H.264 video
 * track with one sample entry, and one media message is at most
 * MAX_MEDIA_MESSAGE_BYTES (8 MiB, enforced by the WebSocket library's
 * maxPayload before any parsing). Input over a bound is refused with
 * Fmp4Error reason 'limit-exceeded', whose message names the constant.
 */

/**
 * Largest trun sample_count {@link parseFragment} accepts. A Vigil fragment is
 * one frame, so 1 is normal; 64 leaves room for other muxers that put a short
 * group of pictures in one fragment (64 frames = 12.8 s at 5 fps, Vigil's
 * highest rate) while bounding the per-sample objects of one parse to 64.
 * Without a bound, a trun with zero-byte rows (sizes from tfhd defaults)
 * could declare one sample per input byte: 8 M objects, 2.5 s, 450 MiB.
 */
export const MAX_SAMPLES_PER_FRAGMENT = 64;

/**
 * Largest number of boxes the parsers walk inside one container (and at the
 * top level of an init segment). Vigil's largest container is moov (mvhd,
 * trak, mvex: 3 children); ISO/IEC 14496-12 containers seen in practice hold
 * a few dozen. Unknown boxes are skipped, so without a bound 1 M empty 8-byte
 * 'free' boxes in one 8 MiB message cost ~100 ms of walking per parse.
 * The generic {@link readBoxes} has no default bound (it also walks whole
 * recording files, thousands of boxes); pass `maxBoxes` to bound it.
 */
export const MAX_CHILD_BOXES = 64;

/**
 * Deepest box path {@link findBox} descends (levels). The parsers only follow
 * fixed paths, the deepest being moov/trak/mdia/minf/stbl/stsd/avc1/avcC
 * (8 levels): nothing recurses into arbitrarily nested boxes.
 */
export const MAX_BOX_DEPTH = 16;

/**
 * Largest numOfSequenceParameterSets / numOfPictureParameterSets in an avcC
 * (ISO/IEC 14496-15 §5.3.3.1; the fields allow 31 and 255). Browser and
 * OpenH264 encoders write one SPS and one PPS per configuration; 4 leaves
 * room for an encoder that lists spares.
 */
export const MAX_AVCC_PARAMETER_SETS = 4;

/**
 * Largest width or height, pixels, of an init segment's avc1 sample entry.
 * Same value as @vigil/protocol's MAX_DIMENSION: the server relays the size
 * to proctors, and the Sentinel downscales to fit 1920x1080; 4096 is also
 * the largest frame size of H.264 level 5.1 at 16:9 (ITU-T H.264 Table A-1).
 */
export const MAX_DIMENSION = 4096;
