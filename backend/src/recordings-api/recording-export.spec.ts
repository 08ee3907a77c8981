import { Fmp4Error } from '@vigil/fmp4';
import { decodeMediaMessage } from '@vigil/protocol';
import { fragmentMessage } from '../testing/media-fixtures';
import { fragmentsOfSegmentFile } from './recording-export';

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

describe('fragmentsOfSegmentFile (export reads the stored fragments)', () => {
  it('yields every fragment in order with its sample bytes (no copy)', () => {
    const file = segmentFile(4);
    const fragments = [...fragmentsOfSegmentFile(file)];
    expect(fragments.map((f) => f.info.sequenceNumber)).toEqual([2, 3, 4, 5]);
    expect(fragments.map((f) => f.info.isSync)).toEqual([true, false, false, false]);
    expect(fragments.map((f) => f.sample.byteLength)).toEqual(fragments.map((f) => f.info.samples[0]!.size));
    expect(fragments[1]!.sample.buffer).toBe(file.buffer);
  });

  it('refuses a file that is not whole fragments, naming what is wrong', () => {
    const file = segmentFile(2);
    const cut = file.subarray(0, file.byteLength - 10);
    expect(() => [...fragmentsOfSegmentFile(cut)]).toThrow(Fmp4Error);
    expect(() => [...fragmentsOfSegmentFile(cut)]).toThrow(/runs past the end|has size/);
    const trailing = new Uint8Array(file.byteLength + 16);
    trailing.set(file);
    trailing.set([0, 0, 0, 16, 0x66, 0x72, 0x65, 0x65], file.byteLength); // a `free` box after the last mdat
    expect(() => [...fragmentsOfSegmentFile(trailing)]).toThrow(/bytes after the last mdat/);
  });
});
