/**
 * How generated frames are encoded (pure): the Sentinel's bitrate model and keyframe
 * interval, and the ffmpeg command line. frame-source.ts runs it.
 */

/**
 * The Sentinel's target bitrate, bits per second (a copy of
 * frontend-sentinel/src/encode/bitrate.ts `targetBitrate`, which a test tool may not import):
 * 1.0 Mbit/s × (pixels / 1280×720)^0.42 × (fps / 5)^0.5, clamped to [100 kbit/s, 3 Mbit/s],
 * rounded to 1 kbit/s. 1080p at 1 fps: 629 kbit/s (~79 KB per frame).
 */
export function sentinelBitrateBps(width: number, height: number, fps: number): number {
  const raw = 1_000_000 * ((width * height) / (1280 * 720)) ** 0.42 * (fps / 5) ** 0.5;
  return Math.round(Math.min(3_000_000, Math.max(100_000, raw)) / 1000) * 1000;
}

/**
 * Frames between IDR frames: the Sentinel's longest keyframe interval, 25 s
 * (frontend-sentinel/src/timing/keyframe-policy.ts DEFAULT_MAX_KEYFRAME_INTERVAL_MS), at `fps`; at least 1.
 */
export function gopFrames(fps: number): number {
  return Math.max(1, Math.round(25 * fps));
}

/** Frames in the generated loop: whole GOPs, at least two and at least 50 frames. */
export function loopFrames(fps: number): number {
  const gop = gopFrames(fps);
  return gop * Math.max(2, Math.ceil(50 / gop));
}

/**
 * ffmpeg arguments that encode `frames` frames of the `testsrc2` pattern (moving, busier
 * than most screens: an upper bound on bits per frame at the target bitrate) as H.264
 * Constrained Baseline (what WebCodecs and OpenH264 give the Sentinel), an IDR every
 * {@link gopFrames}, at the Sentinel's bitrate, as an Annex B stream into `outFile`.
 */
export function ffmpegArgs(o: { width: number; height: number; fps: number; outFile: string }): string[] {
  const gop = gopFrames(o.fps);
  const bps = sentinelBitrateBps(o.width, o.height, o.fps);
  return [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${o.width}x${o.height}:rate=${o.fps}`,
    '-frames:v', String(loopFrames(o.fps)),
    '-pix_fmt', 'yuv420p',
    '-c:v', 'libx264', '-profile:v', 'baseline', '-preset', 'veryfast',
    '-b:v', String(bps), '-maxrate', String(bps), '-bufsize', String(2 * bps),
    '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', // IDR exactly every `gop` frames
    '-bsf:v', 'h264_mp4toannexb', '-f', 'h264', o.outFile,
  ];
}
