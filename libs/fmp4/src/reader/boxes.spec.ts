import { concat, expectFmp4Error, fourcc, u32 } from '../testing/fixtures';
import { boxContent, childBoxes, findBox, readBoxHeader, readBoxes } from './boxes';

const free = (n: number): number[] => [...u32(8 + n), ...fourcc('free'), ...new Array(n).fill(0xaa)];

describe('readBoxes (ISO/IEC 14496-12 §4.2)', () => {
  it('walks siblings with offsets into the input', () => {
    const data = concat(free(0), free(3), [...u32(8), ...fourcc('moof')]);
    const boxes = [...readBoxes(data)];
    expect(boxes.map((b) => [b.type, b.start, b.headerSize, b.contentStart, b.end])).toEqual([
      ['free', 0, 8, 8, 8],
      ['free', 8, 8, 16, 19],
      ['moof', 19, 8, 27, 27],
    ]);
    expect([...boxContent(data, boxes[1])]).toEqual([0xaa, 0xaa, 0xaa]);
  });

  it('walks a sub-range and prefixes paths', () => {
    const data = concat([0xff, 0xff], free(1), [0xee]);
    const [b] = [...readBoxes(data, 2, 11, 'moov')];
    expect(b).toMatchObject({ type: 'free', path: 'moov/free', start: 2, end: 11 });
  });

  it('size 0 extends the box to the end of the range', () => {
    const data = concat([...u32(0), ...fourcc('mdat'), 1, 2, 3]);
    expect([...readBoxes(data)].map((b) => [b.type, b.end])).toEqual([['mdat', 11]]);
  });

  it('size 1 reads a 64-bit largesize', () => {
    const data = concat([...u32(1), ...fourcc('mdat'), ...u32(0), ...u32(19), 7, 8, 9]);
    const [b] = [...readBoxes(data)];
    expect(b).toMatchObject({ type: 'mdat', headerSize: 16, contentStart: 16, end: 19 });
  });

  it("'uuid' boxes have a 16-byte extended type in the header", () => {
    const data = concat([...u32(26), ...fourcc('uuid'), ...new Array(16).fill(1), 5, 6]);
    expect([...readBoxes(data)][0]).toMatchObject({ headerSize: 24, contentStart: 24, end: 26 });
  });

  it('rejects a size smaller than the header', () => {
    expectFmp4Error(() => [...readBoxes(concat([...u32(7), ...fourcc('free')]))], 'bad-box-size', /'free' at offset 0: bad box size: declared size 7 is smaller than its 8-byte header/);
    expectFmp4Error(() => [...readBoxes(concat([...u32(1), ...fourcc('mdat'), ...u32(0), ...u32(15)]))], 'bad-box-size', /declared size 15 is smaller than its 16-byte header/);
    expectFmp4Error(() => [...readBoxes(concat([...u32(20), ...fourcc('uuid'), ...new Array(16).fill(0)]))], 'bad-box-size', /smaller than its 24-byte header/);
  });

  it('rejects a largesize above 2^53-1', () => {
    const data = concat([...u32(1), ...fourcc('mdat'), ...u32(0x00200000), ...u32(0)]);
    expectFmp4Error(() => [...readBoxes(data)], 'bad-box-size', /'mdat' at offset 0: bad box size: largesize exceeds 2\^53-1/);
  });

  it('rejects a box larger than the data (huge 32- and 64-bit sizes)', () => {
    const e = expectFmp4Error(() => [...readBoxes(concat(free(2), [...u32(0xffffffff), ...fourcc('mdat'), 0]))], 'truncated', /'mdat' at offset 10: need 4294967295 bytes, only 9 available/);
    expect(e.offset).toBe(10);
    expect(e.boxPath).toBe('mdat');
    const large = concat([...u32(1), ...fourcc('mdat'), ...u32(0x1fffff), ...u32(0xffffffff)]);
    expectFmp4Error(() => [...readBoxes(large)], 'truncated', /need 9007199254740991 bytes, only 16/);
  });

  it('rejects a partial header', () => {
    expectFmp4Error(() => [...readBoxes(concat(free(0), [0, 0, 0]))], 'truncated', /top level at offset 8: need 8 bytes, only 3 available/);
    expectFmp4Error(() => [...readBoxes(concat([...u32(1), ...fourcc('mdat'), 0, 0]))], 'truncated', /'mdat' at offset 0: need 16 bytes, only 10/);
  });

  it('rejects a range outside the data', () => {
    expect(() => [...readBoxes(new Uint8Array(4), 0, 5)]).toThrow(RangeError);
    expect(() => [...readBoxes(new Uint8Array(4), 3, 2)]).toThrow(/box range \[3, 2\) must lie within 0..4/);
  });

  it('walks subarrays with a non-zero byteOffset', () => {
    const backing = concat([9, 9, 9], free(1));
    const view = backing.subarray(3);
    expect(readBoxHeader(view, 0, view.length)).toMatchObject({ type: 'free', start: 0, end: 9 });
  });
});

describe('findBox', () => {
  // moov(trak(mdia(minf(stbl(stsd(avc1(avcC)))))))
  const avcC = [...u32(12), ...fourcc('avcC'), 1, 2, 3, 4];
  const avc1 = [...u32(8 + 78 + avcC.length), ...fourcc('avc1'), ...new Array(78).fill(0), ...avcC];
  const stsd = [...u32(16 + avc1.length), ...fourcc('stsd'), 0, 0, 0, 0, ...u32(1), ...avc1];
  const wrap = (type: string, body: number[]): number[] => [...u32(8 + body.length), ...fourcc(type), ...body];
  const data = concat(free(1), wrap('moov', wrap('trak', [...free(0), ...wrap('stbl', stsd)])));

  it('descends one level per path element, skipping fixed fields of stsd and avc1', () => {
    const b = findBox(data, ['moov', 'trak', 'stbl', 'stsd', 'avc1', 'avcC']);
    expect(b?.path).toBe('moov/trak/stbl/stsd/avc1/avcC');
    expect([...boxContent(data, b!)]).toEqual([1, 2, 3, 4]);
  });

  it('returns null when any level is missing', () => {
    expect(findBox(data, ['moov', 'mvex'])).toBeNull();
    expect(findBox(data, ['moof'])).toBeNull();
    expect(findBox(data, [])).toBeNull();
  });

  it('rejects a container too short for its fixed fields', () => {
    const shortStsd = wrap('moov', [...u32(12), ...fourcc('stsd'), 0, 0, 0, 0]);
    expectFmp4Error(() => findBox(concat(shortStsd), ['moov', 'stsd', 'avc1']), 'truncated', /'moov\/stsd' at offset 16: need 8 bytes, only 4/);
    expectFmp4Error(() => [...childBoxes(concat(shortStsd), findBox(concat(shortStsd), ['moov', 'stsd'])!)], 'truncated', /need 8 bytes/);
  });

  it('reports malformed children with their full path', () => {
    const bad = concat(wrap('moov', [...wrap('trak', [...u32(4), ...fourcc('tkhd')])]));
    expectFmp4Error(() => findBox(bad, ['moov', 'trak', 'tkhd']), 'bad-box-size', /'moov\/trak\/tkhd' at offset 16/);
  });
});
