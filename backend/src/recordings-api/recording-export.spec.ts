import { Fmp4Error, fragmentsOfFile } from '@vigil/fmp4';
import { decodeMediaMessage } from '@vigil/protocol';
import { fragmentMessage } from '../testing/media-fixtures';

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
