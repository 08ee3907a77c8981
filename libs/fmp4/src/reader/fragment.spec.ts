import { writeFragment } from '../writer/fragment';
import { concat, catchFmp4, expectFmp4Error, u32 } from '../testing/fixtures';
import { box, fullBox, patchU32, renameBox, u64 } from '../testing/mp4-builder';
import { findBox } from './boxes';
import { parseFragment } from './fragment';

const SAMPLE = new Uint8Array([0, 0, 0, 3, 0x65, 0x88, 0x84, 0, 0, 0, 1, 0x06]);
const CAPTURE_MS = 1714000000123.25;

function fragment(o: Partial<Parameters<typeof writeFragment>[0]> = {}): Uint8Array {
  return writeFragment({
    sequenceNumber: 42,
    baseMediaDecodeTime: 900000,
    duration: 18000,
    isSync: true,
    sample: SAMPLE,
    captureTimeMs: CAPTURE_MS,
    ...o,
  });
}

/** Offset of box `path` in `data`. */
function at(data: Uint8Array, path: string[]): number {
  return findBox(data, path)!.start;
}

describe('parseFragment: round trip with writeFragment', () => {
  it('reports every field written', () => {
    const data = fragment();
    expect(parseFragment(data)).toEqual({
      sequenceNumber: 42,
      trackId: 1,
      baseMediaDecodeTime: 900000,
      duration: 18000,
      sampleCount: 1,
      samples: [{ size: SAMPLE.length, duration: 18000, isSync: true }],
      isSync: true,
      captureTimeMs: expect.any(Number),
      byteLength: 140 + SAMPLE.length,
    });
    expect(parseFragment(data).captureTimeMs).toBeCloseTo(CAPTURE_MS, 5);
  });

  it.each([
    { isSync: false, baseMediaDecodeTime: 0, duration: 1, sequenceNumber: 1 },
    { isSync: true, baseMediaDecodeTime: Number.MAX_SAFE_INTEGER, duration: 0xffffffff, sequenceNumber: 0xffffffff },
    { isSync: false, baseMediaDecodeTime: 2 ** 32 + 5, duration: 45000, sequenceNumber: 7, trackId: 9, captureTimeMs: undefined },
  ])('round-trips %p', (o) => {
    const info = parseFragment(fragment(o));
    expect(info).toMatchObject({
      sequenceNumber: o.sequenceNumber,
      trackId: o.trackId ?? 1,
      baseMediaDecodeTime: o.baseMediaDecodeTime,
      duration: o.duration,
      isSync: o.isSync,
      samples: [{ size: SAMPLE.length, duration: o.duration, isSync: o.isSync }],
    });
    expect(info.captureTimeMs === null).toBe('captureTimeMs' in o);
  });

  it('parses a fragment that sits inside a larger buffer (byteOffset != 0)', () => {
    const data = fragment();
    const backing = concat([1, 2, 3], data, [4]);
    expect(parseFragment(backing.subarray(3, 3 + data.length)).sequenceNumber).toBe(42);
  });
});

describe('parseFragment: other producers', () => {
  const mfhd = fullBox('mfhd', 0, 0, u32(5));
  const tfdtV0 = fullBox('tfdt', 0, 0, u32(3000));

  /** moof(mfhd, traf(tfhd, tfdt, trun)) + mdat, trun data_offset fixed up to point at the payload. */
  function build(tfhd: number[], trunFlags: number, rows: number[][], payload: number, extra: number[] = []): Uint8Array {
    const trunOf = (dataOffset: number): number[] =>
      fullBox('trun', 0, trunFlags, u32(rows.length), trunFlags & 1 ? u32(dataOffset) : [], extra, ...rows);
    const moofSize = box('moof', mfhd, box('traf', tfhd, tfdtV0, trunOf(0))).length;
    return concat(box('moof', mfhd, box('traf', tfhd, tfdtV0, trunOf(moofSize + 8))), box('mdat', new Array(payload).fill(0x41)));
  }

  it('takes duration, size and flags from tfhd defaults when the trun lacks them', () => {
    const tfhd = fullBox('tfhd', 0, 0x020000 | 0x08 | 0x10 | 0x20, u32(1), u32(3000), u32(10), u32(0x01010000));
    const info = parseFragment(build(tfhd, 0x001, [[], [], []], 30));
    expect(info).toMatchObject({ sequenceNumber: 5, baseMediaDecodeTime: 3000, duration: 9000, sampleCount: 3, isSync: false });
    expect(info.samples).toEqual(new Array(3).fill({ size: 10, duration: 3000, isSync: false }));
  });

  it('applies first_sample_flags to the first sample only, reads composition offsets, skips sample_description_index', () => {
    const tfhd = fullBox('tfhd', 0, 0x020000 | 0x02 | 0x20, u32(1), u32(1), u32(0x01010000));
    const rows = [
      [...u32(3000), ...u32(7), ...u32(0)], //  duration, size, composition offset
      [...u32(3003), ...u32(5), ...u32(0)],
    ];
    const info = parseFragment(build(tfhd, 0x001 | 0x004 | 0x100 | 0x200 | 0x800, rows, 12, u32(0x02000000)));
    expect(info.samples).toEqual([
      { size: 7, duration: 3000, isSync: true },
      { size: 5, duration: 3003, isSync: false },
    ]);
    expect(info.duration).toBe(6003);
    expect(info.captureTimeMs).toBeNull();
  });

  it('accepts a tfhd without default-base-is-moof (implicit base = moof of the first traf)', () => {
    const tfhd = fullBox('tfhd', 0, 0, u32(1));
    const info = parseFragment(build(tfhd, 0x701, [[...u32(1), ...u32(4), ...u32(0x02000000)]], 4));
    expect(info.samples).toEqual([{ size: 4, duration: 1, isSync: true }]);
  });

  it('accepts prft version 0 and an mdat with size 0 (to end) or a 64-bit largesize', () => {
    const data = fragment();
    const prftV0 = fullBox('prft', 0, 24, u32(1), data.subarray(16, 24), u32(900000));
    const withV0 = concat(prftV0, data.subarray(32));
    expect(parseFragment(withV0).captureTimeMs).toBeCloseTo(CAPTURE_MS, 5);

    const mdatAt = at(data, ['mdat']);
    expect(parseFragment(patchU32(data, mdatAt, 0)).byteLength).toBe(data.length);

    // mdat with largesize: header grows by 8, so the trun data_offset grows by 8 too.
    const moofAt = at(data, ['moof']);
    const trunAt = at(data, ['moof', 'traf', 'trun']);
    const large = concat(
      patchU32(data, trunAt + 16, 116).subarray(0, mdatAt),
      [...u32(1), 0x6d, 0x64, 0x61, 0x74, ...u64(16 + SAMPLE.length)],
      SAMPLE,
    );
    expect(moofAt).toBe(32);
    expect(parseFragment(large).samples[0].size).toBe(SAMPLE.length);
  });
});

describe('parseFragment: malformed input', () => {
  const data = fragment();
  const moofAt = at(data, ['moof']);
  const trafAt = at(data, ['moof', 'traf']);
  const tfhdAt = at(data, ['moof', 'traf', 'tfhd']);
  const tfdtAt = at(data, ['moof', 'traf', 'tfdt']);
  const trunAt = at(data, ['moof', 'traf', 'trun']);
  const mdatAt = at(data, ['mdat']);

  it('throws only Fmp4Error for every truncation, and says where', () => {
    for (let n = 0; n < data.length; n++) {
      const e = catchFmp4(() => parseFragment(data.subarray(0, n)));
      if (n === 0 || n === 32) {
        expect([n, e.reason, e.message]).toEqual([n, 'missing-box', expect.stringMatching(/missing required box 'moof'/)]);
      } else if (n === mdatAt) {
        expect([n, e.reason, e.message]).toEqual([n, 'missing-box', expect.stringMatching(/missing required box 'mdat' \(searched from offset 132\)/)]);
      } else {
        expect([n, e.reason, e.message]).toEqual([n, 'truncated', expect.stringMatching(/at offset \d+: need \d+ bytes, only \d+ available/)]);
      }
    }
  });

  it('names the truncated box: a cut inside the mdat payload', () => {
    expectFmp4Error(() => parseFragment(data.subarray(0, data.length - 1)), 'truncated', /'mdat' at offset 132: need 20 bytes, only 19 available/);
  });

  it('rejects trailing bytes and a second fragment', () => {
    expectFmp4Error(() => parseFragment(concat(data, [0])), 'trailing-bytes', /1 unexpected bytes at offset 152 after mdat at offset 132/);
    expectFmp4Error(() => parseFragment(concat(data, data)), 'trailing-bytes', /152 unexpected bytes at offset 152/);
  });

  it('rejects a box size smaller than its header, zero, and huge', () => {
    expectFmp4Error(() => parseFragment(patchU32(data, tfdtAt, 4)), 'bad-box-size', /'moof\/traf\/tfdt' at offset 80: bad box size: declared size 4/);
    expectFmp4Error(() => parseFragment(patchU32(data, moofAt, 0xfffffff0)), 'truncated', /'moof' at offset 32: need 4294967280 bytes/);
    // size 0 on the moof (= to the end) swallows the mdat into the moof.
    expectFmp4Error(() => parseFragment(patchU32(data, moofAt, 0)), 'missing-box', /missing required box 'mdat' \(searched from offset 152\)/);
  });

  it('rejects trun sample sizes that do not match the mdat payload', () => {
    expectFmp4Error(() => parseFragment(patchU32(data, trunAt + 24, SAMPLE.length - 1)), 'invalid-field', /'moof\/traf\/trun' at offset 100: invalid sample sizes: sum to 11 bytes, but the mdat at offset 132 holds 12/);
    expectFmp4Error(() => parseFragment(patchU32(data, trunAt + 24, 2 ** 31)), 'invalid-field', /sum to 2147483648 bytes/);
  });

  it('rejects a data_offset that misses the mdat payload', () => {
    expectFmp4Error(() => parseFragment(patchU32(data, trunAt + 16, 100)), 'invalid-field', /'moof\/traf\/trun' at offset 116: invalid data_offset: 100 points at offset 132, but the mdat payload starts at 140/);
    expectFmp4Error(() => parseFragment(patchU32(data, trunAt + 8, 0x000700)), 'invalid-field', /data_offset: 0 points at offset 32/);
  });

  it('rejects missing mfhd, traf, tfhd, tfdt and trun', () => {
    const cases: [number, string, RegExp][] = [
      [at(data, ['moof', 'mfhd']), 'moof/mfhd', /missing required box 'moof\/mfhd' \(searched from offset 40\)/],
      [trafAt, 'moof/traf', /missing required box 'moof\/traf'/],
      [tfhdAt, 'moof/traf/tfhd', /missing required box 'moof\/traf\/tfhd' \(searched from offset 64\)/],
      [tfdtAt, 'moof/traf/tfdt', /missing required box 'moof\/traf\/tfdt'/],
      [trunAt, 'moof/traf/trun', /missing required box 'moof\/traf\/trun'/],
    ];
    for (const [offset, path, message] of cases) {
      const e = expectFmp4Error(() => parseFragment(renameBox(data, offset, 'free')), 'missing-box', message);
      expect(e.boxPath).toBe(path);
    }
  });

  it('rejects a mdat before the moof, a fragment without mdat, and foreign top-level boxes', () => {
    const mdat = data.subarray(mdatAt);
    expectFmp4Error(() => parseFragment(concat(mdat, data.subarray(moofAt, mdatAt))), 'missing-box', /'moof'/);
    expectFmp4Error(() => parseFragment(data.subarray(0, mdatAt)), 'missing-box', /'mdat'/);
    expectFmp4Error(() => parseFragment(renameBox(data, 0, 'styp')), 'unsupported', /'styp' at offset 0: unsupported: box 'styp' here; a fragment is \[prft\] moof mdat/);
    expectFmp4Error(() => parseFragment(concat(data.subarray(moofAt, mdatAt), data.subarray(0, moofAt), data.subarray(mdatAt))), 'unsupported', /box 'prft' here/);
    expectFmp4Error(() => parseFragment(concat(data.subarray(0, mdatAt), data.subarray(moofAt))), 'unsupported', /box 'moof' here/);
  });

  it('rejects two trafs and two truns', () => {
    const traf = data.subarray(trafAt, mdatAt);
    const moof2 = concat(box('moof', data.subarray(40, trafAt), traf, traf), data.subarray(mdatAt));
    expectFmp4Error(() => parseFragment(moof2), 'unsupported', /'moof' at offset 0: unsupported: 2 traf boxes; expected one track/);
    const trun = data.subarray(trunAt, mdatAt);
    const traf2 = concat(box('moof', data.subarray(40, trafAt), box('traf', data.subarray(tfhdAt, trunAt), trun, trun)), data.subarray(mdatAt));
    expectFmp4Error(() => parseFragment(traf2), 'unsupported', /2 trun boxes; expected one/);
  });

  it('rejects base-data-offset-present, unknown versions and 64-bit times above 2^53-1', () => {
    expectFmp4Error(() => parseFragment(patchU32(data, tfhdAt + 8, 0x000001)), 'unsupported', /'moof\/traf\/tfhd' at offset 64: unsupported: base-data-offset-present/);
    expectFmp4Error(() => parseFragment(patchU32(data, tfdtAt + 8, 0x02000000)), 'unsupported', /'moof\/traf\/tfdt' at offset 88: unsupported: version 2 \(supported: 0, 1\)/);
    expectFmp4Error(() => parseFragment(patchU32(data, tfdtAt + 12, 0x00200000)), 'unsupported', /baseMediaDecodeTime above 2\^53-1/);
    expectFmp4Error(() => parseFragment(patchU32(data, trunAt + 8, 0x02000701)), 'unsupported', /'moof\/traf\/trun' at offset 108: unsupported: version 2/);
    expectFmp4Error(() => parseFragment(patchU32(data, moofAt + 16, 0x01000000)), 'unsupported', /'moof\/mfhd'.*version 1/);
    expectFmp4Error(() => parseFragment(patchU32(data, 8, 0x02000018)), 'unsupported', /'prft'.*version 2/);
  });

  it('rejects sample_count 0 and counts whose table does not fit', () => {
    expectFmp4Error(() => parseFragment(patchU32(data, trunAt + 12, 0)), 'invalid-field', /invalid sample_count: is 0/);
    expectFmp4Error(() => parseFragment(patchU32(data, trunAt + 12, 2)), 'truncated', /'moof\/traf\/trun' at offset 120: need 24 bytes, only 12 available/);
    // Over MAX_SAMPLES_PER_FRAGMENT (64): refused by the bound before the table is even sized (limits.spec.ts).
    expectFmp4Error(() => parseFragment(patchU32(data, trunAt + 12, 0xffffffff)), 'limit-exceeded', /sample_count 4294967295 is over the limit MAX_SAMPLES_PER_FRAGMENT = 64/);
  });

  it('rejects a trun without durations/sizes/flags when tfhd has no defaults', () => {
    // Drop trun flags one at a time; the box keeps its size, so rows misalign, but the defaults check comes first.
    expectFmp4Error(() => parseFragment(patchU32(data, trunAt + 8, 0x000601)), 'invalid-field', /invalid sample_duration: absent from trun and tfhd has no default_sample_duration/);
    expectFmp4Error(() => parseFragment(patchU32(data, trunAt + 8, 0x000501)), 'invalid-field', /invalid sample_size: absent from trun and tfhd has no default_sample_size/);
    expectFmp4Error(() => parseFragment(patchU32(data, trunAt + 8, 0x000301)), 'invalid-field', /invalid sample_flags: absent from trun and tfhd has no default_sample_flags/);
  });

  it('rejects an init segment and non-fMP4 bytes', () => {
    expectFmp4Error(() => parseFragment(concat(box('ftyp', [1, 2, 3, 4]))), 'unsupported', /box 'ftyp' here/);
    expectFmp4Error(() => parseFragment(new TextEncoder().encode('<html>hello</html>')), 'truncated', /'l>he' at offset 0: need 1013478509 bytes, only 18 available/);
  });

  it('rejects non-Uint8Array input with a TypeError', () => {
    expect(() => parseFragment([1, 2, 3] as unknown as Uint8Array)).toThrow(TypeError);
  });
});
