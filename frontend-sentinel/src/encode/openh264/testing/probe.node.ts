/**
 * Test helpers around ffmpeg/ffprobe (on PATH): pack encoder output into an fMP4 file the way
 * the Sentinel's muxer does (@vigil/fmp4: init segment + one `prft`/`moof`/`mdat` fragment per
 * access unit), decode it, and compare pictures. Node only.
 */
import { execFileSync } from 'node:child_process';
import { VIDEO_TIMESCALE, writeFragment, writeInitSegment } from '@vigil/fmp4';
import type { EncodedVideo } from '../../encoder-backend';

/** What ffprobe reports about a file (first video stream). */
export interface Probe {
  profile: string;
  level: number;
  width: number;
  height: number;
  frames: { keyFrame: boolean; pictType: string; ptsTime: number }[];
}

/**
 * Decodes the whole file with ffprobe (`-show_frames`: every frame is really decoded).
 * @throws Error with ffprobe's message when the file does not decode
 */
export function ffprobe(file: string): Probe {
  const json = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_frames', '-show_streams', '-of', 'json', file], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const out = JSON.parse(json) as {
    streams: { profile: string; level: number; width: number; height: number }[];
    frames: { key_frame: number; pict_type: string; pts_time?: string; best_effort_timestamp_time?: string }[];
  };
  const s = out.streams[0];
  return {
    profile: s.profile,
    level: s.level,
    width: s.width,
    height: s.height,
    frames: out.frames.map((f) => ({
      keyFrame: f.key_frame === 1,
      pictType: f.pict_type,
      ptsTime: Number(f.pts_time ?? f.best_effort_timestamp_time),
    })),
  };
}

/** Init segment (from the first chunk's decoderConfig) + one fragment per chunk; tfdt from the timestamps (µs). */
export function toMp4(chunks: readonly EncodedVideo[], fps: number): Uint8Array {
  const config = chunks[0]?.decoderConfig;
  if (config === undefined) throw new Error('the first chunk must carry the decoderConfig');
  const parts: Uint8Array[] = [writeInitSegment({ width: config.width, height: config.height, avcC: config.avcC })];
  const duration = Math.round(VIDEO_TIMESCALE / fps);
  chunks.forEach((chunk, i) => {
    parts.push(
      writeFragment({
        sequenceNumber: i + 2,
        baseMediaDecodeTime: Math.round((chunk.timestamp * VIDEO_TIMESCALE) / 1e6),
        duration,
        isSync: chunk.type === 'key',
        sample: chunk.data,
        captureTimeMs: Date.UTC(2026, 10, 24) + chunk.timestamp / 1000,
      }),
    );
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Frame `index` of `file`, decoded by ffmpeg to packed I420 (yuv420p). */
export function decodeI420(file: string, index: number, width: number, height: number): Uint8Array {
  const out = execFileSync(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-vf', `select=eq(n\\,${index})`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'],
    { maxBuffer: 64 << 20 },
  );
  if (out.length !== (width * height * 3) / 2) throw new Error(`ffmpeg gave ${out.length} bytes for frame ${index}, expected ${(width * height * 3) / 2}`);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** PSNR of the luma planes (first width x height bytes), dB. */
export function lumaPsnr(a: Uint8Array, b: Uint8Array, width: number, height: number): number {
  let se = 0;
  for (let i = 0; i < width * height; i++) se += (a[i] - b[i]) ** 2;
  return se === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((255 * 255) / (se / (width * height)));
}
