// Random corruption: flip 1..4 bytes of a valid init segment / fragment. A
// parser may accept the result or throw Fmp4Error — never another error type,
// never an out-of-bounds read, never a hang. Deterministic xorshift PRNG.
import { Fmp4Error } from '../errors';
import { AVCC } from '../testing/fixtures';
import { writeFragment } from '../writer/fragment';
import { writeInitSegment } from '../writer/init-segment';
import { parseFragment } from './fragment';
import { parseInitSegment } from './init-segment';

function fuzz(valid: Uint8Array, parse: (d: Uint8Array) => unknown, trials: number): Record<string, number> {
  let seed = 0x9e3779b9;
  const rand = (n: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const outcomes: Record<string, number> = {};
  for (let trial = 0; trial < trials; trial++) {
    const bad = valid.slice();
    for (let k = 0; k <= rand(4); k++) bad[rand(bad.length)] = rand(256);
    let outcome = 'accepted';
    try {
      parse(bad);
    } catch (e) {
      if (!(e instanceof Fmp4Error)) throw e;
      outcome = e.reason;
    }
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  return outcomes;
}

describe('parsers under random corruption', () => {
  it('parseInitSegment: 3000 corrupted init segments', () => {
    const outcomes = fuzz(writeInitSegment({ width: 640, height: 480, avcC: AVCC }), parseInitSegment, 3000);
    expect(outcomes['truncated']).toBeGreaterThan(0);
  });

  it('parseFragment: 5000 corrupted fragments', () => {
    const sample = new Uint8Array([0, 0, 0, 4, 0x65, 0x88, 0x84, 0x00]);
    const valid = writeFragment({ sequenceNumber: 3, baseMediaDecodeTime: 36000, duration: 18000, isSync: true, sample, captureTimeMs: 1.7e12 });
    const outcomes = fuzz(valid, parseFragment, 5000);
    expect(outcomes['truncated']).toBeGreaterThan(0);
    expect(outcomes['accepted']).toBeGreaterThan(0); // e.g. flips inside the sample bytes
  });
});
