/**
 * The frames a synthetic Sentinel replays (pure): real H.264 access units with their
 * decoder configuration, read from recorded fMP4 (an init segment and fragments) or from
 * an Annex B elementary stream (ffmpeg's output), and written back as the cache format.
 * No I/O here: frame-source.ts reads and writes the files.
 */
import {
  NAL_TYPE_IDR,
  NAL_TYPE_PPS,
  NAL_TYPE_SPS,
  buildAvcC,
  codecStringFromAvcC,
  nalUnitType,
  nalusToAvcc,
  fragmentsOfFile,
  parseInitSegment,
  splitAccessUnits,
  splitAnnexB,
  writeFragment,
  writeInitSegment,
} from '@vigil/fmp4';
import { frameTicks } from './pacing';

/** NAL unit type 9: access unit delimiter (not needed inside MP4 samples). */
const NAL_TYPE_AUD = 9;

/** One encoded frame. */
export interface Frame {
  /** The access unit in AVCC form (4-byte NAL lengths), as an fMP4 sample. */
  sample: Uint8Array;
  /** Holds an IDR slice: a decoder can start here (sent as a JOIN fragment). */
  isSync: boolean;
}

/** A loop of real H.264 frames with the decoder configuration they need. */
export interface FrameSet {
  /** Pixels. */
  width: number;
  height: number;
  /** AVCDecoderConfigurationRecord. */
  avcC: Uint8Array;
  /** RFC 6381 codec string, e.g. `avc1.42C028`. */
  codec: string;
  /** In decode order; the first is an IDR frame. Replayed in a loop. */
  frames: Frame[];
}

/** Sizes of a frame set, bytes. */
export interface FrameSetStats {
  frames: number;
  syncFrames: number;
  meanFrameBytes: number;
  meanSyncFrameBytes: number;
  meanOtherFrameBytes: number;
  maxFrameBytes: number;
}

/**
 * Cuts an H.264 Annex B stream (e.g. ffmpeg `-bsf:v h264_mp4toannexb -f h264`) into frames:
 * SPS/PPS go into the avcC (the first of each), AUD/SPS/PPS are left out of the samples.
 * @throws Error without SPS/PPS or frames, or when the first frame is not an IDR frame
 */
export function frameSetFromAnnexB(annexB: Uint8Array, size: { width: number; height: number }): FrameSet {
  const nalus = splitAnnexB(annexB);
  const sps = nalus.find((n) => nalUnitType(n) === NAL_TYPE_SPS);
  const pps = nalus.find((n) => nalUnitType(n) === NAL_TYPE_PPS);
  if (!sps || !pps) throw new Error('the H.264 stream has no SPS/PPS');
  const avcC = buildAvcC(sps, pps);
  const frames = splitAccessUnits(nalus)
    .map((au) => ({
      sample: nalusToAvcc(au.filter((n) => ![NAL_TYPE_SPS, NAL_TYPE_PPS, NAL_TYPE_AUD].includes(nalUnitType(n)))),
      isSync: au.some((n) => nalUnitType(n) === NAL_TYPE_IDR),
    }))
    .filter((f) => f.sample.length > 0);
  return checked({ width: size.width, height: size.height, avcC, codec: codecStringFromAvcC(avcC), frames });
}

/**
 * Reads recorded fMP4: an init segment and media files, each holding one or more fragments
 * (`[prft] moof mdat`, as a Vigil Sentinel sends them, or a Vigil recording's segment files;
 * other top-level boxes such as `styp`/`sidx`/`free` are skipped). Every sample becomes one frame.
 * @throws Error (or Fmp4Error) when the bytes do not parse or hold no frames
 */
export function frameSetFromFmp4(init: Uint8Array, mediaFiles: readonly Uint8Array[]): FrameSet {
  const info = parseInitSegment(init);
  const avcC = info.avcC.slice();
  const frames: Frame[] = [];
  for (const file of mediaFiles) {
    for (const { info: fragment, samples } of fragmentsOfFile(file)) {
      fragment.samples.forEach((s, i) => frames.push({ sample: samples[i]!.slice(), isSync: s.isSync }));
    }
  }
  return checked({ width: info.width, height: info.height, avcC, codec: codecStringFromAvcC(avcC), frames });
}

/**
 * The cache format (see loadgen/README.md): `init.mp4` and one fragment per frame
 * (`000001.m4s`, …), each fragment with its sequence number (from 2) and media time at
 * `fps`, without `prft` (the load generator writes the capture time when it sends).
 */
export function cacheFiles(set: FrameSet, fps: number): { name: string; bytes: Uint8Array }[] {
  const duration = frameTicks(fps);
  const files = [{ name: 'init.mp4', bytes: writeInitSegment({ width: set.width, height: set.height, avcC: set.avcC }) }];
  set.frames.forEach((f, i) =>
    files.push({
      name: `${String(i + 1).padStart(6, '0')}.m4s`,
      bytes: writeFragment({ sequenceNumber: i + 2, baseMediaDecodeTime: i * duration, duration, isSync: f.isSync, sample: f.sample }),
    }),
  );
  return files;
}

/**
 * Index of the first IDR frame at or after `from`, going round the loop; -1 without one.
 * (A keyframe request makes the next frame sent an IDR frame: playback jumps there.)
 */
export function nextSyncIndex(frames: readonly Frame[], from: number): number {
  for (let k = 0; k < frames.length; k++) {
    const i = (from + k) % frames.length;
    if (frames[i]!.isSync) return i;
  }
  return -1;
}

/** Frame counts and sizes of a set, bytes. */
export function frameSetStats(set: FrameSet): FrameSetStats {
  const sizes = set.frames.map((f) => f.sample.length);
  const sync = set.frames.filter((f) => f.isSync).map((f) => f.sample.length);
  const other = set.frames.filter((f) => !f.isSync).map((f) => f.sample.length);
  const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  return {
    frames: sizes.length,
    syncFrames: sync.length,
    meanFrameBytes: mean(sizes),
    meanSyncFrameBytes: mean(sync),
    meanOtherFrameBytes: mean(other),
    maxFrameBytes: Math.max(0, ...sizes),
  };
}

/** Starts the loop at its first IDR frame (frames before it cannot be decoded: dropped). @throws Error without frames or without an IDR frame */
function checked(set: FrameSet): FrameSet {
  if (set.frames.length === 0) throw new Error('no frames');
  const first = nextSyncIndex(set.frames, 0);
  if (first < 0) throw new Error('no IDR frame: a viewer could never start decoding');
  if (first > 0) set.frames = set.frames.slice(first);
  return set;
}
