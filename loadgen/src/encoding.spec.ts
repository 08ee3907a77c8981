import { ffmpegArgs, gopFrames, loopFrames, sentinelBitrateBps } from './encoding';

describe('encoding of generated frames', () => {
  it('uses the Sentinel bitrate model (figures of frontend-sentinel/src/encode/bitrate.ts)', () => {
    expect(sentinelBitrateBps(1920, 1080, 1)).toBe(629_000);
    expect(sentinelBitrateBps(1920, 1080, 0.2)).toBe(281_000);
    expect(sentinelBitrateBps(1280, 720, 5)).toBe(1_000_000);
    expect(sentinelBitrateBps(1920, 1080, 5)).toBe(1_406_000);
    expect(sentinelBitrateBps(64, 64, 0.2)).toBe(100_000);
  });

  it('puts an IDR frame every 25 s and loops whole GOPs', () => {
    expect(gopFrames(1)).toBe(25);
    expect(gopFrames(5)).toBe(125);
    expect(gopFrames(0.2)).toBe(5);
    expect(loopFrames(1)).toBe(50);
    expect(loopFrames(5)).toBe(250);
    expect(loopFrames(0.2)).toBe(50);
    expect(loopFrames(0.2) % gopFrames(0.2)).toBe(0);
  });

  it('asks ffmpeg for Constrained Baseline Annex B at that rate', () => {
    const args = ffmpegArgs({ width: 1920, height: 1080, fps: 1, outFile: '/tmp/x.h264' }).join(' ');
    expect(args).toContain('testsrc2=size=1920x1080:rate=1');
    expect(args).toContain('-frames:v 50');
    expect(args).toContain('-profile:v baseline');
    expect(args).toContain('-b:v 629000');
    expect(args).toContain('-g 25 -keyint_min 25');
    expect(args).toContain('-bsf:v h264_mp4toannexb -f h264 /tmp/x.h264');
  });
});
