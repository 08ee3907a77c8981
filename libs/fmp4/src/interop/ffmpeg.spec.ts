// Real encoder and decoder: libx264 (test tool only) produces a Constrained
// Baseline Annex B stream; our helpers split it and build the avcC, our
// writer packs one fragment per frame, and ffprobe/ffmpeg must decode it
// with the frame count, size, key frames and timestamps we wrote.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitAccessUnits, splitAnnexB, nalusToAvcc } from '../avc/annexb';
import { buildAvcC, codecStringFromAvcC } from '../avc/avcc';
import { NAL_TYPE_AUD, NAL_TYPE_IDR, NAL_TYPE_PPS, NAL_TYPE_SPS, nalUnitType } from '../avc/nal';
import { parseFragment } from '../reader/fragment';
import { parseInitSegment } from '../reader/init-segment';
import { writeFragment } from '../writer/fragment';
import { writeInitSegment } from '../writer/init-segment';

jest.setTimeout(60_000);

const FRAMES = 12;
/** Runs a tool; returns stdout; fails the test on a non-zero exit or on anything printed to stderr at -v error. */
function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0 || r.stderr !== '') throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

interface Probe {
  streams: { codec_name: string; profile: string; width: number; height: number; time_base: string; pix_fmt: string }[];
  packets: { pts: number; dts: number; flags: string; size: string }[];
  frames: { key_frame: number; pict_type: string; pts: number; pkt_dts: number; width: number; height: number }[];
}

describe('ffmpeg decodes what we write (H.264 Constrained Baseline)', () => {
  let dir = '';
  beforeAll(() => {
    try {
      run('ffprobe', ['-version']);
    } catch {
      throw new Error('ffmpeg/ffprobe not found on PATH: they are needed for this decoder interop test');
    }
    dir = mkdtempSync(join(tmpdir(), 'vigil-fmp4-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('frame count, size, profile, IDR key frames and tfdt timestamps match', () => {
    const h264 = join(dir, 'in.h264');
    run('ffmpeg', [
      '-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=5', '-frames:v', String(FRAMES),
      '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-profile:v', 'baseline',
      '-x264-params', 'keyint=6:min-keyint=6:scenecut=0', '-bsf:v', 'h264_mp4toannexb', '-f', 'h264', h264,
    ]);

    // Split into access units with our Annex B helpers.
    const units = splitAccessUnits(splitAnnexB(new Uint8Array(readFileSync(h264))));
    expect(units).toHaveLength(FRAMES);
    const all = units.flat();
    const sps = all.find((n) => nalUnitType(n) === NAL_TYPE_SPS)!;
    const pps = all.find((n) => nalUnitType(n) === NAL_TYPE_PPS)!;
    const avcC = buildAvcC(sps, pps);
    expect(codecStringFromAvcC(avcC)).toMatch(/^avc1\.42C0[0-9A-F]{2}$/); // profile 66 + constraint_set0/1 = Constrained Baseline
    const idr = units.map((u) => u.some((n) => nalUnitType(n) === NAL_TYPE_IDR));
    expect(idr.flatMap((k, i) => (k ? [i] : []))).toEqual([0, 6]);

    // Timeline: 5 fps (18000 ticks) for the first GOP, 2.5 fps for the second, and a
    // 0.1 s capture hiccup before frame 9 — the next tfdt is authoritative, not the sum of durations.
    const tfdt: number[] = [];
    const durations: number[] = [];
    let t = 0;
    for (let i = 0; i < FRAMES; i++) {
      if (i === 9) t += 9000;
      tfdt.push(t);
      durations.push(i < 6 ? 18000 : 36000);
      t += durations[i]!;
    }

    const init = writeInitSegment({ width: 320, height: 240, avcC });
    const fragments = units.map((nalus, i) =>
      writeFragment({
        sequenceNumber: i + 1,
        baseMediaDecodeTime: tfdt[i]!,
        duration: durations[i]!,
        isSync: idr[i]!,
        // Parameter sets live in the avcC; AUDs are not needed in MP4 samples.
        sample: nalusToAvcc(nalus.filter((n) => ![NAL_TYPE_SPS, NAL_TYPE_PPS, NAL_TYPE_AUD].includes(nalUnitType(n)))),
        captureTimeMs: 1.7e12 + tfdt[i]! / 90,
      }),
    );
    expect(parseInitSegment(init)).toMatchObject({ width: 320, height: 240, codec: codecStringFromAvcC(avcC) });
    expect(fragments.map((f) => parseFragment(f).isSync)).toEqual(idr);

    const mp4 = join(dir, 'out.mp4');
    writeFileSync(mp4, Buffer.concat([init, ...fragments]));

    // Two runs: with both -show_packets and -show_frames ffprobe merges them into one list.
    const ffprobe = (what: string): Probe =>
      JSON.parse(run('ffprobe', ['-v', 'error', '-show_streams', what, '-of', 'json', mp4])) as Probe;
    const probe = { ...ffprobe('-show_packets'), frames: ffprobe('-show_frames').frames };
    expect(probe.streams).toHaveLength(1);
    expect(probe.streams[0]).toMatchObject({
      codec_name: 'h264',
      profile: 'Constrained Baseline',
      width: 320,
      height: 240,
      time_base: '1/90000',
      pix_fmt: 'yuv420p',
    });

    // Packet durations are not compared: ffprobe 5.1 reports 18000 for every packet here
    // (its frame-rate estimate), not the trun values; mp4box.spec.ts checks durations.
    expect(probe.packets.map((p) => [p.dts, p.pts, p.flags.startsWith('K'), Number(p.size)])).toEqual(
      tfdt.map((d, i) => [d, d, idr[i], parseFragment(fragments[i]!).samples[0]!.size]),
    );
    expect(probe.frames).toHaveLength(FRAMES);
    expect(probe.frames.map((f) => f.key_frame === 1)).toEqual(idr);
    expect(probe.frames.map((f) => f.pict_type)).toEqual(idr.map((k) => (k ? 'I' : 'P')));
    expect(probe.frames.map((f) => f.pts)).toEqual(tfdt);
    expect(probe.frames.every((f) => f.width === 320 && f.height === 240)).toBe(true);

    // Decoding is clean, and every decoded picture equals the one decoded from the raw stream.
    const md5s = (file: string): string[] =>
      run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'framemd5', '-'])
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('#'))
        .map((l) => l.split(',').pop()!.trim());
    const fromMp4 = md5s(mp4);
    expect(fromMp4).toHaveLength(FRAMES);
    expect(fromMp4).toEqual(md5s(h264));
  });
});
