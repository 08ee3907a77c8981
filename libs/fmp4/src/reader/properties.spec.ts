// Property tests (fast-check) of the fMP4 reader: round trips with the writer, and the
// parsers' contract on any input: a result or a typed Fmp4Error, never another exception.
// The long coverage-guided campaign over the same parsers is fuzz/ (Jazzer.js).
import fc from 'fast-check';
import { buildAvcC, parseAvcC } from '../avc/avcc';
import { MAX_CHILD_BOXES, MAX_SAMPLES_PER_FRAGMENT } from '../limits';
import { Fmp4Error } from '../errors';
import { writeFragment } from '../writer/fragment';
import { writeInitSegment } from '../writer/init-segment';
import { readBoxes } from './boxes';
import { parseFragment } from './fragment';
import { parseInitSegment } from './init-segment';

/** Runs `parse`; returns its result, or the Fmp4Error's reason. Any other exception fails the property. */
function outcome<T>(parse: () => T): T | string {
  try {
    return parse();
  } catch (e) {
    if (e instanceof Fmp4Error) return e.reason;
    throw e;
  }
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const sampleArb = fc.uint8Array({ minLength: 1, maxLength: 2048 });
const fragmentOptions = fc.record({
  sequenceNumber: fc.integer({ min: 1, max: 0xffffffff }),
  baseMediaDecodeTime: fc.maxSafeNat(),
  duration: fc.integer({ min: 1, max: 0xffffffff }),
  isSync: fc.boolean(),
  sample: sampleArb,
  captureTimeMs: fc.option(fc.double({ min: 0, max: 4_000_000_000_000, noNaN: true }), { nil: undefined }),
  trackId: fc.integer({ min: 1, max: 0xffffffff }),
});
// SPS: NAL header 0x67 + profile, constraints, level + payload; PPS: 0x68 + payload.
const spsArb = fc.uint8Array({ minLength: 3, maxLength: 60 }).map((b) => Uint8Array.from([0x67, 66 + (b[0] % 2) * 11, b[1], b[2], ...b.subarray(3)]));
const ppsArb = fc.uint8Array({ minLength: 1, maxLength: 30 }).map((b) => Uint8Array.from([0x68, ...b]));
const evenDimension = fc.integer({ min: 1, max: 2048 }).map((v) => v * 2);
const initOptions = fc.record({
  width: evenDimension,
  height: evenDimension,
  sps: spsArb,
  pps: ppsArb,
  trackId: fc.integer({ min: 1, max: 0xffffffff }),
  timescale: fc.integer({ min: 1, max: 0xffffffff }),
});

/** Overwrites, truncations, insertions and duplications of byte ranges. */
function mutated(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: fc.oneof(u32, fc.constantFrom(0, 1, 8, 0xffffffff, 0x7fffffff)) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), value: fc.nat() }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 1, max: 64 }) }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => {
    let out = valid.slice();
    for (const e of edits) {
      const at = out.length === 0 ? 0 : e.at % out.length;
      if (e.kind === 'set' && out.length > 0) out[at] = e.value;
      else if (e.kind === 'u32' && at + 4 <= out.length) new DataView(out.buffer).setUint32(at, e.value);
      else if (e.kind === 'cut') out = out.slice(0, at);
      else if (e.kind === 'insert') out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at, at + e.value), ...out.subarray(at)]);
    }
    return out;
  });
}

describe('round trips (write, then parse equals the input)', () => {
  it('writeFragment -> parseFragment', () => {
    fc.assert(
      fc.property(fragmentOptions, (o) => {
        const bytes = writeFragment(o);
        const info = parseFragment(bytes);
        expect(info).toMatchObject({
          sequenceNumber: o.sequenceNumber,
          trackId: o.trackId,
          baseMediaDecodeTime: o.baseMediaDecodeTime,
          duration: o.duration,
          sampleCount: 1,
          samples: [{ size: o.sample.length, duration: o.duration, isSync: o.isSync }],
          isSync: o.isSync,
          byteLength: bytes.length,
        });
        // The mdat payload is the sample, byte for byte, at the end.
        expect(bytes.subarray(bytes.length - o.sample.length)).toEqual(o.sample);
        if (o.captureTimeMs === undefined) expect(info.captureTimeMs).toBeNull();
        else expect(Math.abs((info.captureTimeMs as number) - o.captureTimeMs)).toBeLessThan(1e-3); // NTP fraction: 2^-32 s
      }),
      { numRuns: 500 },
    );
  });

  it('writeInitSegment -> parseInitSegment', () => {
    fc.assert(
      fc.property(initOptions, (o) => {
        const avcC = buildAvcC(o.sps, o.pps);
        const info = parseInitSegment(writeInitSegment({ width: o.width, height: o.height, avcC, trackId: o.trackId, timescale: o.timescale }));
        expect(info).toMatchObject({ width: o.width, height: o.height, trackId: o.trackId, timescale: o.timescale });
        expect(info.avcC).toEqual(avcC);
        const config = parseAvcC(info.avcC);
        expect(config.sps).toEqual([o.sps]);
        expect(config.pps).toEqual([o.pps]);
        expect(info.codec).toMatch(/^avc1\.[0-9A-F]{6}$/);
      }),
      { numRuns: 300 },
    );
  });
});

describe('any bytes: a result or a typed Fmp4Error, never another exception', () => {
  it('parseFragment, parseInitSegment, parseAvcC, readBoxes on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const f = outcome(() => parseFragment(bytes));
        if (typeof f !== 'string') expect(f.sampleCount).toBeLessThanOrEqual(MAX_SAMPLES_PER_FRAGMENT);
        outcome(() => parseInitSegment(bytes));
        outcome(() => parseAvcC(bytes));
        outcome(() => [...readBoxes(bytes, 0, bytes.length, '', MAX_CHILD_BOXES)]);
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated valid fragments', () => {
    const valid = writeFragment({ sequenceNumber: 9, baseMediaDecodeTime: 162000, duration: 18000, isSync: true, sample: Uint8Array.from([0, 0, 0, 3, 0x65, 1, 2]), captureTimeMs: 1.7e12 });
    fc.assert(
      fc.property(mutated(valid), (bytes) => {
        const r = outcome(() => parseFragment(bytes));
        if (typeof r !== 'string') {
          // Accepted: the structure still holds (sizes add up within the input).
          expect(r.samples.reduce((n, s) => n + s.size, 0)).toBeLessThanOrEqual(bytes.length);
          expect(r.sampleCount).toBe(r.samples.length);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated valid init segments', () => {
    const valid = writeInitSegment({ width: 1280, height: 720, avcC: buildAvcC(Uint8Array.from([0x67, 0x42, 0xc0, 0x1f, 0xda]), Uint8Array.from([0x68, 0xce])) });
    fc.assert(
      fc.property(mutated(valid), (bytes) => {
        const r = outcome(() => parseInitSegment(bytes));
        if (typeof r !== 'string') {
          expect(r.width).toBeGreaterThanOrEqual(1);
          expect(r.width).toBeLessThanOrEqual(4096);
          expect(r.height).toBeLessThanOrEqual(4096);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
