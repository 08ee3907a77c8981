import { execFileSync } from 'node:child_process';

/** One decoded frame as ffprobe reports it. */
export interface ProbedFrame {
  keyFrame: boolean;
  /** Presentation time, seconds. */
  ptsTime: number;
  width: number;
  height: number;
  pictType: string;
}

/**
 * Decodes a whole file with ffprobe (`-show_frames`), so every frame is really decoded.
 * @throws Error with ffprobe's stderr when the file does not decode
 */
export function probeFrames(file: string): { frames: ProbedFrame[]; profile: string; level: number; codec: string } {
  const json = execFileSync(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_frames', '-show_streams', '-of', 'json', file],
    { encoding: 'utf8', maxBuffer: 256 << 20 },
  );
  const out = JSON.parse(json) as {
    frames: { key_frame: number; pts_time?: string; best_effort_timestamp_time?: string; width: number; height: number; pict_type: string }[];
    streams: { profile: string; level: number; codec_name: string }[];
  };
  return {
    frames: out.frames.map((f) => ({
      keyFrame: f.key_frame === 1,
      ptsTime: Number(f.pts_time ?? f.best_effort_timestamp_time),
      width: f.width,
      height: f.height,
      pictType: f.pict_type,
    })),
    profile: out.streams[0].profile,
    level: out.streams[0].level,
    codec: out.streams[0].codec_name,
  };
}
