// Finding 5 of issue 8 (parser amplification): the nastiest 8 MiB payloads a
// Sentinel can send are refused by a bound from limits.ts, with a typed
// Fmp4Error naming the constant, before any per-sample or per-box work. The
// figures (event-loop time, heap per message) are in
// bench/worst-message.bench.ts, never asserted here.
import { Fmp4Error } from '../errors';
import {
  MAX_AVCC_PARAMETER_SETS,
  MAX_BOX_DEPTH,
  MAX_CHILD_BOXES,
  MAX_DIMENSION,
  MAX_SAMPLES_PER_FRAGMENT,
} from '../limits';
import { parseAvcC } from '../avc/avcc';
import { AVCC, expectFmp4Error } from '../testing/fixtures';
import {
  HOSTILE_PAYLOAD_BYTES,
  avcCWithParameterSets,
  deepNestingFragment,
  hugeDeclaredSizes,
  initSegmentOfSize,
  manySizedSamplesFragment,
  manyTinyBoxesFragment,
  manyTinyBoxesInitSegment,
  realisticFragment,
  zeroSizeSamplesFragment,
} from '../testing/hostile';
import { writeInitSegment } from '../writer/init-segment';
import { findBox, readBoxes } from './boxes';
import { parseFragment } from './fragment';
import { parseInitSegment } from './init-segment';

/** Patches the trun sample_count and the sizes of a fragment built by zeroSizeSamplesFragment. */
function withSampleCount(bytes: number, count: number): Uint8Array {
  const f = zeroSizeSamplesFragment(bytes);
  const trunAt = findBox(f, ['moof', 'traf', 'trun'])!.start;
  new DataView(f.buffer).setUint32(trunAt + 12, count);
  return f;
}

describe('fragment bounds (MAX_SAMPLES_PER_FRAGMENT)', () => {
  it('refuses an 8 MiB trun of zero-size samples at the sample count (was accepted with 8 M sample objects)', () => {
    const f = zeroSizeSamplesFragment();
    expect(f.length).toBe(HOSTILE_PAYLOAD_BYTES);
    const e = expectFmp4Error(() => parseFragment(f), 'limit-exceeded', /sample_count 8388\d+ is over the limit MAX_SAMPLES_PER_FRAGMENT = 64/);
    expect(e.boxPath).toBe('moof/traf/trun');
  });

  it('refuses 1.6 M 1-byte samples whose sizes add up to the mdat (valid but for the bound)', () => {
    expectFmp4Error(() => parseFragment(manySizedSamplesFragment()), 'limit-exceeded', /MAX_SAMPLES_PER_FRAGMENT/);
  });

  it('accepts exactly MAX_SAMPLES_PER_FRAGMENT zero-size samples and refuses one more', () => {
    const ok = parseFragment(withSampleCount(4096, MAX_SAMPLES_PER_FRAGMENT));
    expect(ok.sampleCount).toBe(MAX_SAMPLES_PER_FRAGMENT);
    expect(ok.samples).toHaveLength(MAX_SAMPLES_PER_FRAGMENT);
    expectFmp4Error(() => parseFragment(withSampleCount(4096, MAX_SAMPLES_PER_FRAGMENT + 1)), 'limit-exceeded', /sample_count 65 /);
  });

  it('still requires the sample sizes to add up to the mdat payload', () => {
    const f = zeroSizeSamplesFragment(4096);
    const trunAt = findBox(f, ['moof', 'traf', 'trun'])!.start;
    new DataView(f.buffer).setUint32(trunAt + 12, 1);
    const withPayload = new Uint8Array(f.length + 3);
    withPayload.set(f);
    new DataView(withPayload.buffer).setUint32(f.length - 8, 8 + 3); // mdat of 3 bytes, trun says 0
    expectFmp4Error(() => parseFragment(withPayload), 'invalid-field', /sample sizes: sum to 0 bytes, but the mdat .* holds 3/);
  });

  it('a realistic 1080p fragment still parses', () => {
    const info = parseFragment(realisticFragment(300_000));
    expect(info).toMatchObject({ sampleCount: 1, isSync: true, samples: [{ size: 300_000 }] });
  });
});

describe('box bounds (MAX_CHILD_BOXES, MAX_BOX_DEPTH)', () => {
  it('refuses a moof with 1 M empty boxes at box 65', () => {
    const e = expectFmp4Error(() => parseFragment(manyTinyBoxesFragment()), 'limit-exceeded', /box count 65 is over the limit MAX_CHILD_BOXES = 64/);
    expect(e.boxPath).toBe('moof');
  });

  it('refuses an init segment with 1 M empty top-level boxes at box 65', () => {
    expectFmp4Error(() => parseInitSegment(manyTinyBoxesInitSegment()), 'limit-exceeded', /top level .*MAX_CHILD_BOXES = 64/);
  });

  it('accepts MAX_CHILD_BOXES top-level boxes in an init segment', () => {
    // ftyp + moov + 62 'free' boxes = 64 top-level boxes.
    const init = manyTinyBoxesInitSegment(writeInitSegment({ width: 64, height: 64, avcC: AVCC }).length + 62 * 8);
    expect([...readBoxes(init)]).toHaveLength(MAX_CHILD_BOXES);
    expect(parseInitSegment(init).width).toBe(1920);
  });

  it('never descends into a box nested 1 M levels deep (refused for its structure, in constant time)', () => {
    expectFmp4Error(() => parseFragment(deepNestingFragment()), 'unsupported', /2 traf boxes/);
  });

  it('refuses declared sizes past the end at the first header', () => {
    expectFmp4Error(() => parseFragment(hugeDeclaredSizes()), 'truncated', /need 9007199254740991 bytes/);
  });

  it('readBoxes is unbounded by default (recording files) and bounded when asked', () => {
    const init = manyTinyBoxesInitSegment(100_000);
    expect([...readBoxes(init)].length).toBeGreaterThan(12_000);
    expectFmp4Error(() => [...readBoxes(init, 0, init.length, '', 10)], 'limit-exceeded', /box count 11 is over the limit maxBoxes = 10/);
  });

  it('findBox refuses a path deeper than MAX_BOX_DEPTH', () => {
    expect(() => findBox(new Uint8Array(8), new Array(MAX_BOX_DEPTH + 1).fill('moov'))).toThrow(RangeError);
  });
});

describe('init segment bounds (MAX_DIMENSION, MAX_AVCC_PARAMETER_SETS)', () => {
  it.each([
    [MAX_DIMENSION + 1, 1080, '4097x1080 pixels'],
    [1920, MAX_DIMENSION + 1, '1920x4097 pixels'],
    [65535, 65535, '65535x65535 pixels'],
  ])('refuses %ix%i with a reason naming MAX_DIMENSION', (w, h, what) => {
    const e = expectFmp4Error(() => parseInitSegment(initSegmentOfSize(w, h)), 'limit-exceeded', new RegExp(`picture size ${what} is over the limit MAX_DIMENSION = 4096`));
    expect(e.boxPath).toBe('moov/trak/mdia/minf/stbl/stsd/avc1');
  });

  it('accepts 4096x4096', () => {
    expect(parseInitSegment(initSegmentOfSize(MAX_DIMENSION, MAX_DIMENSION))).toMatchObject({ width: 4096, height: 4096 });
  });

  it('accepts MAX_AVCC_PARAMETER_SETS SPS and PPS, refuses more', () => {
    expect(parseAvcC(avcCWithParameterSets(MAX_AVCC_PARAMETER_SETS, MAX_AVCC_PARAMETER_SETS)).sps).toHaveLength(4);
    expectFmp4Error(() => parseAvcC(avcCWithParameterSets(31, 1)), 'limit-exceeded', /numOfSequenceParameterSets 31 .*MAX_AVCC_PARAMETER_SETS = 4/);
    expectFmp4Error(() => parseAvcC(avcCWithParameterSets(1, 255)), 'limit-exceeded', /numOfPictureParameterSets 255 /);
  });

  it('an init segment whose avcC lists 31 SPS is refused as a whole', () => {
    const init = writeInitSegment({ width: 640, height: 480, avcC: avcCWithParameterSets(1, 1) });
    expect(parseInitSegment(init).codec).toBe('avc1.42C01F');
    // Patch numOfSequenceParameterSets in place: the record then does not parse.
    const avcC = findBox(init, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'avc1', 'avcC'])!;
    init[avcC.contentStart + 5] = 0xe0 | 31;
    const e = expectFmp4Error(() => parseInitSegment(init), 'limit-exceeded', /MAX_AVCC_PARAMETER_SETS/);
    expect(e).toBeInstanceOf(Fmp4Error);
  });
});
