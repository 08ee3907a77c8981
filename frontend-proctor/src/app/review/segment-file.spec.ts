import { fragment } from '../../testing/media-fixtures';
import { framesOf, splitFragments } from './segment-file';

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

describe('splitFragments', () => {
  const f0 = fragment(0, { duration: 90_000, captureTimeMs: 1_767_000_000_000.5 });
  const f1 = fragment(1, { duration: 90_000, captureTimeMs: 1_767_000_001_000.5 });
  const f2 = fragment(2, { duration: 90_000, captureTimeMs: 1_767_000_002_000.5 });

  it('splits a segment file into its fragments', () => {
    const r = splitFragments(concat(f0, f1, f2));
    expect(r.fragments.map((f) => f.info.sequenceNumber)).toEqual([2, 3, 4]);
    expect(r.consumed).toBe(f0.length + f1.length + f2.length);
    expect(r.error).toBeNull();
    expect(r.fragments[1]!.bytes).toEqual(f1);
  });

  it('leaves a torn tail (a growing file) for the next read', () => {
    const whole = concat(f0, f1, f2);
    for (const cut of [f0.length + 5, f0.length + f1.length - 1, f0.length + 40]) {
      const r = splitFragments(whole.subarray(0, cut));
      expect(r.consumed).toBe(f0.length);
      expect(r.fragments).toHaveLength(1);
      expect(r.error).toBeNull();
    }
    expect(splitFragments(concat(f0, new Uint8Array(64))).consumed).toBe(f0.length); // zero-filled tail
  });

  it('stops at a fragment that does not parse and says why', () => {
    const bad = f1.slice();
    bad[bad.length - 9] = 0xff; // inside the moof: the trun no longer adds up
    const broken = concat(f0, new Uint8Array([0, 0, 0, 16, 0x6d, 0x64, 0x61, 0x74, 1, 2, 3, 4, 5, 6, 7, 8]));
    const r = splitFragments(broken);
    expect(r.consumed).toBe(f0.length);
    expect(r.error).toMatch(/fragment at byte/);
  });
});

describe('framesOf', () => {
  it('maps tfdt to media seconds with the offset, and keeps the prft capture time', () => {
    const frames = framesOf(splitFragments(concat(fragment(0, { duration: 90_000, captureTimeMs: 5 }), fragment(1, { duration: 90_000, captureTimeMs: 1005 }))).fragments, 90_000, 10);
    // prft is NTP (32.32 fixed point): the capture time comes back within a microsecond
    expect(frames.map((f) => ({ ...f, captureMs: Math.round(f.captureMs!) }))).toEqual([
      { sequence: 2, mediaStart: 10, mediaEnd: 11, captureMs: 5, join: true },
      { sequence: 3, mediaStart: 11, mediaEnd: 12, captureMs: 1005, join: false },
    ]);
  });
});
