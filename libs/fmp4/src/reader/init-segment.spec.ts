import { writeInitSegment } from '../writer/init-segment';
import { AVCC, catchFmp4, concat, expectFmp4Error, u32 } from '../testing/fixtures';
import { box, fullBox, patchU32, renameBox } from '../testing/mp4-builder';
import { findBox } from './boxes';
import { parseInitSegment } from './init-segment';

const init = writeInitSegment({ width: 1280, height: 720, avcC: AVCC });
const STBL = ['moov', 'trak', 'mdia', 'minf', 'stbl'];
const at = (path: string[]): number => findBox(init, path)!.start;

describe('parseInitSegment: round trip with writeInitSegment', () => {
  it('reports what was written; avcC is a subarray of the input', () => {
    const info = parseInitSegment(init);
    expect(info).toEqual({
      width: 1280,
      height: 720,
      timescale: 90000,
      trackId: 1,
      avcC: expect.any(Uint8Array),
      codec: 'avc1.42C01F',
      byteLength: init.length,
    });
    expect([...info.avcC]).toEqual([...AVCC]);
    expect(info.avcC.buffer).toBe(init.buffer);
  });

  it.each([
    { width: 2, height: 2, trackId: 1, timescale: 90000 },
    { width: 1920, height: 1080, trackId: 0xffffffff, timescale: 1 },
    { width: 4096, height: 2160, trackId: 3, timescale: 1000 },
  ])('round-trips %p', (o) => {
    expect(parseInitSegment(writeInitSegment({ ...o, avcC: AVCC }))).toMatchObject(o);
  });

  it('skips free/udta boxes and accepts version 1 tkhd and mdhd', () => {
    expect(parseInitSegment(concat(init, box('free', [0, 0]))).byteLength).toBe(init.length + 10);
    const ftyp = init.subarray(0, at(['moov']));
    const avc1 = init.subarray(at([...STBL, 'stsd', 'avc1']), findBox(init, [...STBL, 'stsd'])!.end);
    const zeros = (n: number): number[] => new Array(n).fill(0);
    const moov = box(
      'moov',
      box(
        'trak',
        fullBox('tkhd', 1, 3, zeros(16), u32(5), zeros(4), zeros(8), zeros(60)),
        box(
          'mdia',
          fullBox('mdhd', 1, 0, zeros(16), u32(48000), zeros(8), zeros(4)),
          fullBox('hdlr', 0, 0, u32(0), [0x76, 0x69, 0x64, 0x65], zeros(13)),
          box('minf', box('stbl', fullBox('stsd', 0, 0, u32(1), avc1))),
        ),
      ),
      box('udta', [1, 2, 3]),
      box('mvex', fullBox('trex', 0, 0, u32(5), u32(1), zeros(12))),
    );
    expect(parseInitSegment(concat(ftyp, moov))).toMatchObject({ trackId: 5, timescale: 48000, width: 1280, height: 720 });
  });
});

describe('parseInitSegment: malformed input', () => {
  it('throws only Fmp4Error for every truncation', () => {
    for (let n = 0; n < init.length; n++) {
      const e = catchFmp4(() => parseInitSegment(init.subarray(0, n)));
      if (n === 0) expect(e.reason).toBe('missing-box');
      else if (n === 36) expect(e.message).toMatch(/missing required box 'moov' \(searched from offset 36\)/);
      else expect([n, e.reason]).toEqual([n, 'truncated']);
    }
  });

  it('rejects a bad avcC version with the full box path', () => {
    const avcCAt = findBox(init, [...STBL, 'stsd', 'avc1', 'avcC'])!.contentStart;
    const bad = init.slice();
    bad[avcCAt] = 2;
    const e = expectFmp4Error(
      () => parseInitSegment(bad),
      'invalid-field',
      new RegExp(`'moov/trak/mdia/minf/stbl/stsd/avc1/avcC' at offset ${avcCAt}: invalid configurationVersion: expected 1, got 2`),
    );
    expect(e.offset).toBe(avcCAt);
  });

  it('rejects 2-byte NAL lengths', () => {
    const avcCAt = findBox(init, [...STBL, 'stsd', 'avc1', 'avcC'])!.contentStart;
    const bad = init.slice();
    bad[avcCAt + 4] = 0xfd;
    expectFmp4Error(() => parseInitSegment(bad), 'unsupported', /NAL length size 2; Vigil samples use 4-byte lengths/);
  });

  it('rejects missing ftyp, moov, trak, mvex, trex for the track, avcC', () => {
    expectFmp4Error(() => parseInitSegment(init.subarray(at(['moov']))), 'missing-box', /missing required box 'ftyp' \(searched from offset 0\)/);
    expectFmp4Error(() => parseInitSegment(renameBox(init, at(['moov']), 'free')), 'missing-box', /'moov'/);
    expectFmp4Error(() => parseInitSegment(renameBox(init, at(['moov', 'trak']), 'free')), 'missing-box', /'moov\/trak'/);
    expectFmp4Error(() => parseInitSegment(renameBox(init, at(['moov', 'mvex']), 'free')), 'missing-box', /missing required box 'moov\/mvex'/);
    expectFmp4Error(() => parseInitSegment(patchU32(init, at(['moov', 'mvex', 'trex']) + 12, 2)), 'missing-box', /'moov\/mvex\/trex'/);
    expectFmp4Error(() => parseInitSegment(renameBox(init, at([...STBL, 'stsd', 'avc1', 'avcC']), 'btrt')), 'missing-box', /'moov\/trak\/mdia\/minf\/stbl\/stsd\/avc1\/avcC'/);
    expectFmp4Error(() => parseInitSegment(renameBox(init, at([...STBL]), 'free')), 'missing-box', /'moov\/trak\/mdia\/minf\/stbl'/);
  });

  it('rejects two tracks, audio tracks, other codecs and several sample entries', () => {
    const trak = findBox(init, ['moov', 'trak'])!;
    const moov = findBox(init, ['moov'])!;
    const twoTraks = concat(init.subarray(0, moov.start), box('moov', init.subarray(moov.contentStart, trak.end), init.subarray(trak.start, moov.end)));
    expectFmp4Error(() => parseInitSegment(twoTraks), 'unsupported', /'moov' at offset 36: unsupported: 2 tracks/);
    const hdlrAt = at(['moov', 'trak', 'mdia', 'hdlr']);
    expectFmp4Error(() => parseInitSegment(patchU32(init, hdlrAt + 16, 0x736f756e)), 'unsupported', /handler_type 'soun'; only video/);
    expectFmp4Error(() => parseInitSegment(renameBox(init, at([...STBL, 'stsd', 'avc1']), 'hvc1')), 'unsupported', /sample entry 'hvc1'; only H.264 'avc1'/);
    const stsdAt = at([...STBL, 'stsd']);
    expectFmp4Error(() => parseInitSegment(patchU32(init, stsdAt + 12, 2)), 'unsupported', /2 sample entries/);
    expectFmp4Error(() => parseInitSegment(patchU32(init, stsdAt + 12, 0)), 'invalid-field', /invalid entry_count: is 0/);
  });

  it('rejects zero track_ID, timescale, width', () => {
    expectFmp4Error(() => parseInitSegment(patchU32(init, at(['moov', 'trak', 'tkhd']) + 20, 0)), 'invalid-field', /'moov\/trak\/tkhd' at offset \d+: invalid track_ID: must not be 0/);
    expectFmp4Error(() => parseInitSegment(patchU32(init, at(['moov', 'trak', 'mdia', 'mdhd']) + 20, 0)), 'invalid-field', /invalid timescale: must not be 0/);
    expectFmp4Error(() => parseInitSegment(patchU32(init, at([...STBL, 'stsd', 'avc1']) + 32, 0)), 'invalid-field', /invalid width\/height: 0x0/);
  });

  it('rejects media boxes, duplicate ftyp/moov, bad sizes', () => {
    expectFmp4Error(() => parseInitSegment(concat(init, box('mdat', [1]))), 'unsupported', /'mdat' at offset \d+: unsupported: media data in an init segment/);
    expectFmp4Error(() => parseInitSegment(concat(init, init.subarray(at(['moov'])))), 'unsupported', /second 'moov' box/);
    expectFmp4Error(() => parseInitSegment(patchU32(init, at(['moov', 'trak', 'tkhd']), 3)), 'bad-box-size', /'moov\/trak\/tkhd' at offset 160: bad box size: declared size 3/);
    expectFmp4Error(() => parseInitSegment(patchU32(init, at(['moov', 'trak', 'tkhd']), 12)), 'truncated', /'moov\/trak\/tkhd' at offset 172: need 8 bytes, only 0/);
  });
});
