import { writeFragment } from '@vigil/fmp4';
import { cacheFiles, frameSetFromAnnexB, frameSetFromFmp4, frameSetStats, nextSyncIndex, type FrameSet } from './frame-set';

// Constrained Baseline level 3.1 parameter sets (as libs/fmp4/src/testing/fixtures.ts)
const SPS = [0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8];
const PPS = [0x68, 0xce, 0x3c, 0x80];
const START = [0, 0, 0, 1];
// slices with first_mb_in_slice = 0 (ue(v) '1'): each starts an access unit
const idr = (tag: number) => [0x65, 0x88, 0x84, tag, 0x21];
const p = (tag: number) => [0x41, 0x9a, tag, 0x10];
const AUD = [0x09, 0xf0];

function annexB(...nalus: number[][]): Uint8Array {
  return new Uint8Array(nalus.flatMap((n) => [...START, ...n]));
}

/** The AVCC form of one NAL unit (4-byte length). */
function avcc(nalu: number[]): number[] {
  return [0, 0, 0, nalu.length, ...nalu];
}

describe('frameSetFromAnnexB', () => {
  it('cuts an Annex B stream into AVCC frames, parameter sets into the avcC', () => {
    const set = frameSetFromAnnexB(annexB(AUD, SPS, PPS, idr(1), AUD, p(2), AUD, p(3), AUD, SPS, PPS, idr(4)), { width: 1280, height: 720 });
    expect(set.codec).toBe('avc1.42C01F');
    expect(set.width).toBe(1280);
    expect(set.frames.map((f) => f.isSync)).toEqual([true, false, false, true]);
    expect([...set.frames[0]!.sample]).toEqual(avcc(idr(1)));
    expect([...set.frames[2]!.sample]).toEqual(avcc(p(3)));
    expect([...set.avcC.subarray(0, 4)]).toEqual([1, 0x42, 0xc0, 0x1f]);
  });

  it('drops frames before the first IDR frame (not decodable)', () => {
    const set = frameSetFromAnnexB(annexB(SPS, PPS, p(1), p(2), idr(3), p(4)), { width: 64, height: 64 });
    expect(set.frames.map((f) => [...f.sample])).toEqual([avcc(idr(3)), avcc(p(4))]);
  });

  it('refuses streams without parameter sets or without an IDR frame', () => {
    expect(() => frameSetFromAnnexB(annexB(idr(1)), { width: 64, height: 64 })).toThrow(/no SPS\/PPS/);
    expect(() => frameSetFromAnnexB(annexB(SPS, PPS, p(1)), { width: 64, height: 64 })).toThrow(/no IDR frame/);
  });
});

describe('cache files and frameSetFromFmp4', () => {
  const set: FrameSet = frameSetFromAnnexB(annexB(SPS, PPS, idr(1), p(2), p(3), idr(4), p(5)), { width: 640, height: 360 });

  it('round-trips: init.mp4 and one fragment per frame', () => {
    const files = cacheFiles(set, 5);
    expect(files.map((f) => f.name)).toEqual(['init.mp4', '000001.m4s', '000002.m4s', '000003.m4s', '000004.m4s', '000005.m4s']);
    const back = frameSetFromFmp4(files[0]!.bytes, files.slice(1).map((f) => f.bytes));
    expect(back.width).toBe(640);
    expect(back.height).toBe(360);
    expect(back.codec).toBe(set.codec);
    expect([...back.avcC]).toEqual([...set.avcC]);
    expect(back.frames.map((f) => ({ s: [...f.sample], k: f.isSync }))).toEqual(set.frames.map((f) => ({ s: [...f.sample], k: f.isSync })));
  });

  it('reads recording segment files: several fragments per file, prft, and other top-level boxes', () => {
    const [init, ...fragments] = cacheFiles(set, 1).map((f) => f.bytes);
    const withPrft = writeFragment({ sequenceNumber: 9, baseMediaDecodeTime: 0, duration: 90_000, isSync: true, sample: set.frames[0]!.sample, captureTimeMs: 1.7e12 });
    const styp = new Uint8Array([0, 0, 0, 16, ...'styp'.split('').map((c) => c.charCodeAt(0)), ...'msdh'.split('').map((c) => c.charCodeAt(0)), 0, 0, 0, 0]);
    const joined = (...parts: Uint8Array[]) => {
      const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
      let o = 0;
      for (const x of parts) {
        out.set(x, o);
        o += x.length;
      }
      return out;
    };
    const back = frameSetFromFmp4(init!, [joined(styp, fragments[0]!, fragments[1]!, fragments[2]!), joined(fragments[3]!, fragments[4]!, withPrft)]);
    expect(back.frames).toHaveLength(6);
    expect(back.frames.map((f) => f.isSync)).toEqual([true, false, false, true, false, true]);
    expect([...back.frames[5]!.sample]).toEqual([...set.frames[0]!.sample]);
  });

  it('refuses bytes that are not fMP4', () => {
    expect(() => frameSetFromFmp4(new Uint8Array(8), [])).toThrow();
    expect(() => frameSetFromFmp4(cacheFiles(set, 1)[0]!.bytes, [])).toThrow(/no frames/);
  });
});

describe('nextSyncIndex and frameSetStats', () => {
  const frames = [true, false, false, true, false].map((isSync, i) => ({ isSync, sample: new Uint8Array(isSync ? 100 : 10 + i) }));

  it('finds the next IDR frame round the loop', () => {
    expect(nextSyncIndex(frames, 0)).toBe(0);
    expect(nextSyncIndex(frames, 1)).toBe(3);
    expect(nextSyncIndex(frames, 4)).toBe(0);
    expect(nextSyncIndex([{ isSync: false, sample: new Uint8Array(1) }], 0)).toBe(-1);
  });

  it('sums up sizes', () => {
    expect(frameSetStats({ width: 1, height: 1, avcC: new Uint8Array(0), codec: 'x', frames })).toEqual({
      frames: 5,
      syncFrames: 2,
      meanFrameBytes: (100 + 11 + 12 + 100 + 14) / 5,
      meanSyncFrameBytes: 100,
      meanOtherFrameBytes: (11 + 12 + 14) / 3,
      maxFrameBytes: 100,
    });
  });
});
