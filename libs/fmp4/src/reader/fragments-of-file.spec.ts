import { writeFragment } from '../writer/fragment';
import { concat, expectFmp4Error } from '../testing/fixtures';
import { box } from '../testing/mp4-builder';
import { fragmentsOfFile } from './fragments-of-file';

const fragment = (sequenceNumber: number, sample: number[], isSync: boolean, captureTimeMs?: number) =>
  writeFragment({ sequenceNumber, baseMediaDecodeTime: sequenceNumber * 90_000, duration: 90_000, isSync, sample: new Uint8Array(sample), captureTimeMs });

describe('fragmentsOfFile', () => {
  it('yields every [prft] moof mdat run with its samples as subarrays, skipping styp/free', () => {
    const a = fragment(1, [0, 0, 0, 1, 0x65], true, 1_764_000_000_000);
    const b = fragment(2, [0, 0, 0, 2, 0x41, 0x9a], false); // no prft
    const file = concat(box('styp', [0x6d, 0x73, 0x64, 0x68, 0, 0, 0, 0]), a, box('free', [1, 2, 3]), b);
    const got = [...fragmentsOfFile(file)];
    expect(got.map((f) => [f.info.sequenceNumber, f.info.isSync, f.info.captureTimeMs])).toEqual([
      [1, true, 1_764_000_000_000],
      [2, false, null],
    ]);
    expect(got.map((f) => [...f.samples[0]!])).toEqual([
      [0, 0, 0, 1, 0x65],
      [0, 0, 0, 2, 0x41, 0x9a],
    ]);
    expect(got[1]!.samples[0]!.buffer).toBe(file.buffer); // no copy
    expect(got[1]!.end).toBe(file.byteLength);
  });

  it('refuses a file that ends inside a fragment, and a fragment that does not parse, saying where', () => {
    const a = fragment(1, [0, 0, 0, 1, 0x65], true, 1);
    const moofOnly = a.subarray(0, a.byteLength - (8 + 5)); // prft + moof, no mdat
    expectFmp4Error(() => [...fragmentsOfFile(concat(a, moofOnly))], 'trailing-bytes', /unexpected bytes at offset \d+ after the last complete fragment/);
    const cut = concat(a, a.subarray(0, a.byteLength - 2));
    expect(() => [...fragmentsOfFile(cut)]).toThrow(/truncated|size/);
  });

  it('yields nothing for a file of no fragments', () => {
    expect([...fragmentsOfFile(new Uint8Array(0))]).toEqual([]);
    expect([...fragmentsOfFile(new Uint8Array(box('free', [0])))]).toEqual([]);
  });
});
