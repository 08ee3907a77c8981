import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { BufferTarget, EncodedPacket, EncodedVideoPacketSource, Mp4OutputFormat, Output } from 'mediabunny';
import { Fmp4Error, fragmentsOfFile, parseInitSegment, readBoxes } from '@vigil/fmp4';
import { decodeMediaMessage } from '@vigil/protocol';
import { fragmentMessage, initMessage, toUnits } from '../testing/media-fixtures';
import { RecordingStore } from '../recording/recording-store';
import { MDAT_HEADER_BYTES, SampleLayoutCheck, exportMp4, mdatHeader, planExport, type ExportPlan } from './recording-export';

/** A stored segment file: the fMP4 payloads of consecutive fragment messages, joined. */
function segmentFile(count: number): Uint8Array {
  const parts = Array.from({ length: count }, (_, i) => decodeMediaMessage(fragmentMessage(i + 2, i, { join: i === 0, size: 1000 + i })).payload);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

describe('a stored segment file as the export reads it (fragmentsOfFile)', () => {
  it('yields every fragment in order with its sample bytes (no copy)', () => {
    const file = segmentFile(4);
    const fragments = [...fragmentsOfFile(file)];
    expect(fragments.map((f) => f.info.sequenceNumber)).toEqual([2, 3, 4, 5]);
    expect(fragments.map((f) => f.info.isSync)).toEqual([true, false, false, false]);
    expect(fragments.map((f) => f.samples[0]!.byteLength)).toEqual(fragments.map((f) => f.info.samples[0]!.size));
    expect(fragments[1]!.samples[0]!.buffer).toBe(file.buffer);
  });

  it('refuses a file that is not whole fragments, naming what is wrong', () => {
    const file = segmentFile(2);
    const cut = file.subarray(0, file.byteLength - 10);
    expect(() => [...fragmentsOfFile(cut)]).toThrow(Fmp4Error);
    expect(() => [...fragmentsOfFile(cut)]).toThrow(/'mdat' at offset \d+: need \d+ bytes, only \d+ available \(data truncated\)/);
    const first = [...fragmentsOfFile(file)][0]!;
    const mdatBytes = 8 + first.info.samples[0]!.size;
    const trailing = new Uint8Array(file.byteLength + first.end - mdatBytes);
    trailing.set(file);
    trailing.set(file.subarray(0, first.end - mdatBytes), file.byteLength); // a prft + moof whose mdat never came
    expect(() => [...fragmentsOfFile(trailing)]).toThrow(/after the last complete fragment/);
  });
});

describe('the mdat header of an export', () => {
  it('is a free box and a 32-bit mdat below 4 GiB, a 64-bit mdat from there, 16 bytes either way', () => {
    const small = mdatHeader(16 + 1000);
    expect(small.byteLength).toBe(MDAT_HEADER_BYTES);
    expect([...readBoxes(new Uint8Array([...small, ...new Uint8Array(1000)]))].map((b) => [b.type, b.start, b.end])).toEqual([
      ['free', 0, 8],
      ['mdat', 8, 1016],
    ]);
    const big = new DataView(mdatHeader(2 ** 32 + 8).buffer);
    expect(big.getUint32(0)).toBe(1); // largesize follows
    expect(String.fromCharCode(...mdatHeader(2 ** 32 + 8).subarray(4, 8))).toBe('mdat');
    expect(big.getUint32(8) * 2 ** 32 + big.getUint32(12)).toBe(2 ** 32 + 8);
    expect(new DataView(mdatHeader(2 ** 32 + 7).buffer).getUint32(8)).toBe(2 ** 32 - 1); // the last size a 32-bit mdat holds
    expect(() => mdatHeader(15)).toThrow(RangeError);
  });
});

describe('SampleLayoutCheck: mediabunny writes each sample where the export put it', () => {
  /** Header of 40 bytes (ftyp 24 + mdat 16), then samples of 10, 20 and 5 bytes. */
  function placed(): SampleLayoutCheck {
    const check = new SampleLayoutCheck();
    check.observe(0, 24); // ftyp
    check.observe(24, 40); // mdat header
    check.begin(40);
    expect([check.place(10), check.place(20), check.place(5)]).toEqual([40, 50, 70]);
    return check;
  }

  it('accepts the samples in order, the header patched at the end and the moov after them', () => {
    const check = placed();
    check.observe(40, 50);
    check.observe(50, 70);
    check.check();
    check.observe(70, 75);
    check.observe(24, 32); // mdat size patched when finalizing
    check.observe(75, 83); // moov
    expect(() => check.finish(75)).not.toThrow();
    expect(check.end).toBe(75);
  });

  it('refuses a header of another size, a sample written elsewhere, missing samples and a moov elsewhere', () => {
    const short = new SampleLayoutCheck();
    short.observe(0, 32);
    expect(() => short.begin(40)).toThrow(/header ends at byte 32, expected 40/);

    const moved = placed();
    moved.observe(40, 60); // samples merged or reordered
    expect(() => moved.check()).toThrow(/wrote \[40, 60\) where sample 0 is, at \[40, 50\)/);

    const missing = placed();
    missing.observe(40, 50);
    expect(() => missing.finish(75)).toThrow(/wrote 1 of 3 samples/);

    const over = placed();
    for (const [a, b] of [[40, 50], [50, 70], [70, 75], [60, 64]]) over.observe(a, b);
    expect(() => over.check()).toThrow(/over the samples/);

    const elsewhere = placed();
    for (const [a, b] of [[40, 50], [50, 70], [70, 75]]) elsewhere.observe(a, b);
    expect(() => elsewhere.finish(80)).toThrow(/moov is at byte 80, the samples end at byte 75/);
  });
});

/**
 * exportMp4 on a recording written by the real writer: 40 frames at 5 fps, a join fragment
 * every 10, sample sizes all different.
 */
describe('exportMp4 on a stored recording', () => {
  const T0 = 1_764_000_000_000;
  let dir: string;
  let store: RecordingStore;
  let plan: Extract<ExportPlan, { kind: 'one' }>;
  const streamId = 'export-1';
  const tmpBefore = process.env['TMPDIR'];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vigil-export-spec-'));
    process.env['TMPDIR'] = path.join(dir, 'tmp'); // exports go to os.tmpdir(): this test's own
    store = new RecordingStore(path.join(dir, 'data'), false);
    const rec = await store.open({ streamId, examId: 'e', seatId: 's', encoder: 'webcodecs', userAgent: 'spec', createdAtMs: T0 });
    const messages = [initMessage(1, 1920, 1080)];
    for (let i = 0; i < 40; i++) messages.push(fragmentMessage(i + 2, i, { join: i % 10 === 0, size: 300 + 17 * i, captureTimeMs: T0 + i * 200 }));
    for (const unit of toUnits(messages, 1, T0)) await rec.write(unit);
    await rec.close();
    const timeline = await store.timeline(streamId);
    // from 2.3 s to 6.1 s: from the join fragment at 2.0 s (frame 10) to frame 30 (6.0 s)
    const planned = planExport(timeline.range(T0 + 2300, T0 + 6100), timeline.range(0, Number.MAX_SAFE_INTEGER).segments);
    if (planned.kind !== 'one') throw new Error('expected one part');
    plan = planned;
  });

  afterAll(async () => {
    if (tmpBefore === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = tmpBefore;
    await rm(dir, { recursive: true, force: true });
  });

  /** The stored fragments of the plan, as the export reads them. */
  async function storedFrames(): Promise<{ sample: Uint8Array; tfdt: number; duration: number; sync: boolean }[]> {
    const frames = [];
    for (const s of plan.segments) {
      for (const f of fragmentsOfFile(await readFile(store.filePath(streamId, s.file)))) {
        frames.push({ sample: f.samples[0]!, tfdt: f.info.baseMediaDecodeTime, duration: f.info.duration, sync: f.info.isSync });
      }
    }
    return frames;
  }

  it('writes the samples, times and boxes mediabunny would write itself (ftyp, free + mdat, moov), timestamps from 0', async () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(T0); // mediabunny stamps mvhd/tkhd/mdhd with the time
    try {
      const file = await exportMp4(store, streamId, plan);
      const exported = new Uint8Array(await readFile(file));
      await rm(file);

      // the same packets through mediabunny alone, into memory
      const init = parseInitSegment(await readFile(store.filePath(streamId, plan.init)));
      const frames = (await storedFrames()).filter((f) => f.tfdt < 6.1 * 90_000);
      expect(frames.map((f) => f.tfdt / 18_000)).toEqual(Array.from({ length: 21 }, (_, i) => 10 + i)); // frames 10..30
      const reference = new Output({ format: new Mp4OutputFormat({ fastStart: false }), target: new BufferTarget() });
      const video = new EncodedVideoPacketSource('avc');
      reference.addVideoTrack(video);
      reference.setMetadataTags({ date: new Date(plan.startMs), comment: `Vigil recording ${streamId}, first frame captured ${new Date(plan.startMs).toISOString()}` });
      await reference.start();
      for (const [i, f] of frames.entries()) {
        const packet = new EncodedPacket(f.sample, f.sync ? 'key' : 'delta', (f.tfdt - frames[0]!.tfdt) / 90_000, f.duration / 90_000, i);
        await video.add(packet, i === 0 ? { decoderConfig: { codec: init.codec, codedWidth: init.width, codedHeight: init.height, description: init.avcC } } : undefined);
      }
      await reference.finalize();
      const expected = new Uint8Array((reference.target as BufferTarget).buffer!);

      expect([...readBoxes(exported)].map((b) => b.type)).toEqual(['ftyp', 'free', 'mdat', 'moov']);
      const ftypEnd = [...readBoxes(exported)][0]!.end;
      expect(exported.byteLength).toBe(expected.byteLength);
      // byte for byte, apart from the 16 header bytes (mediabunny: a 32-bit mdat and 8 unused bytes)
      const differing = [];
      for (let i = 0; i < exported.byteLength; i++) if (exported[i] !== expected[i]) differing.push(i);
      expect(differing.every((i) => i >= ftypEnd && i < ftypEnd + MDAT_HEADER_BYTES)).toBe(true);

      // and what ffprobe reads: every frame, its time from 0 and its size, the first a key frame
      const path1 = path.join(dir, 'probe.mp4');
      await writeFile(path1, exported);
      const { stdout } = await promisify(execFile)('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time,duration_time,size,flags', '-of', 'json', path1], { encoding: 'utf8', timeout: 20_000 });
      const packets = (JSON.parse(stdout) as { packets: { pts_time: string; duration_time: string; size: string; flags: string }[] }).packets;
      expect(packets.map((p) => [Number(p.pts_time), Number(p.duration_time), Number(p.size), p.flags.startsWith('K')])).toEqual(
        frames.map((f) => [(f.tfdt - frames[0]!.tfdt) / 90_000, 0.2, f.sample.byteLength, f.sync]),
      );
    } finally {
      now.mockRestore();
    }
  });

  it('fails on a stored file that is not whole fragments, and leaves no temporary file', async () => {
    const victim = store.filePath(streamId, plan.segments[1]!.file);
    const original = await readFile(victim);
    await writeFile(victim, original.subarray(0, original.byteLength - 10));
    try {
      await expect(exportMp4(store, streamId, plan)).rejects.toThrow(Fmp4Error);
      const left = path.join(process.env['TMPDIR']!, 'vigil-export');
      expect(existsSync(left) ? await readdir(left) : []).toEqual([]);
    } finally {
      await writeFile(victim, original);
    }
  });
});
