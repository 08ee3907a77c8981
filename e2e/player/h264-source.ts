import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  NAL_TYPE_IDR,
  NAL_TYPE_PPS,
  NAL_TYPE_SPS,
  buildAvcC,
  codecStringFromAvcC,
  nalUnitType,
  nalusToAvcc,
  splitAccessUnits,
  splitAnnexB,
} from '@vigil/fmp4';

/** NAL unit type 9: access unit delimiter (not needed inside MP4 samples). */
const NAL_TYPE_AUD = 9;

/** An H.264 stream cut into access units, ready for @vigil/fmp4's writers. */
export interface EncodedVideo {
  width: number;
  height: number;
  /** AVCDecoderConfigurationRecord built from the stream's first SPS/PPS. */
  avcC: Uint8Array;
  /** e.g. `avc1.42C01E`. */
  codec: string;
  /** One AVCC sample per frame, in decode order; `isSync` = holds an IDR slice. */
  frames: { sample: Uint8Array; isSync: boolean }[];
}

/**
 * Encodes ffmpeg's `testsrc` pattern (a counter and moving colour bars) as
 * H.264 Constrained Baseline with an IDR every `gop` frames, as Annex B, and
 * cuts it into AVCC samples with @vigil/fmp4 (splitAnnexB / splitAccessUnits /
 * buildAvcC / nalusToAvcc). SPS/PPS/AUD NAL units go into the avcC, not the samples.
 */
export function encodeTestVideo(o: { width: number; height: number; fps: number; frames: number; gop: number; outDir: string }): EncodedVideo {
  mkdirSync(o.outDir, { recursive: true });
  const out = path.join(o.outDir, `testsrc-${o.width}x${o.height}-${o.fps}fps-g${o.gop}.h264`);
  execFileSync(
    'ffmpeg',
    [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc=size=${o.width}x${o.height}:rate=${o.fps}`,
      '-frames:v', String(o.frames),
      '-pix_fmt', 'yuv420p', // testsrc is RGB; Baseline needs 4:2:0 (MEASURED.md)
      '-c:v', 'libx264', '-profile:v', 'baseline', '-preset', 'veryfast',
      '-g', String(o.gop), '-keyint_min', String(o.gop), '-sc_threshold', '0', // IDR exactly every `gop` frames
      '-bsf:v', 'h264_mp4toannexb', '-f', 'h264', out,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const nalus = splitAnnexB(new Uint8Array(readFileSync(out)));
  const sps = nalus.find((n) => nalUnitType(n) === NAL_TYPE_SPS);
  const pps = nalus.find((n) => nalUnitType(n) === NAL_TYPE_PPS);
  if (!sps || !pps) throw new Error(`${out}: no SPS/PPS`);
  const avcC = buildAvcC(sps, pps);
  const frames = splitAccessUnits(nalus).map((au) => ({
    sample: nalusToAvcc(au.filter((n) => ![NAL_TYPE_SPS, NAL_TYPE_PPS, NAL_TYPE_AUD].includes(nalUnitType(n)))),
    isSync: au.some((n) => nalUnitType(n) === NAL_TYPE_IDR),
  }));
  if (frames.length !== o.frames) throw new Error(`${out}: expected ${o.frames} access units, got ${frames.length}`);
  if (!frames[0]!.isSync) throw new Error(`${out}: the first frame is not an IDR frame`);
  return { width: o.width, height: o.height, avcC, codec: codecStringFromAvcC(avcC), frames };
}
