// Byte-exact fixtures for the init segment boxes, written field by field from
// ISO/IEC 14496-12 §4.3, §8.2–8.8, §12.1 and ISO/IEC 14496-15 §5.4, not from
// the writer's output. The last test assembles them into the whole init segment.
import { AVCC, fourcc, u32 } from '../testing/fixtures';
import { ByteWriter } from './byte-writer';
import {
  type InitParams,
  writeAvc1,
  writeDinf,
  writeFtyp,
  writeHdlr,
  writeMdhd,
  writeMvex,
  writeMvhd,
  writeStco,
  writeStsc,
  writeStsz,
  writeStts,
  writeTkhd,
  writeVmhd,
} from './init-boxes';
import { writeInitSegment } from './init-segment';

const P: InitParams = { width: 1280, height: 720, avcC: AVCC, trackId: 1, timescale: 90000 };

const MATRIX = [
  0x00, 0x01, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, // a = 1.0 (16.16), b, u
  0, 0, 0, 0, 0x00, 0x01, 0x00, 0x00, 0, 0, 0, 0, // c, d = 1.0, v
  0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x00, 0x00, 0x00, // x, y, w = 1.0 (2.30)
];

const FTYP = [
  0x00, 0x00, 0x00, 0x24, //  size 36
  ...fourcc('ftyp'),
  ...fourcc('iso6'), //       major_brand
  0x00, 0x00, 0x00, 0x00, //  minor_version 0
  ...fourcc('iso6'), ...fourcc('cmfc'), ...fourcc('iso5'), ...fourcc('avc1'), ...fourcc('mp41'), // compatible_brands
];

const MVHD = [
  0x00, 0x00, 0x00, 0x6c, //  size 108
  ...fourcc('mvhd'),
  0x00, 0x00, 0x00, 0x00, //  version 0, flags 0
  0x00, 0x00, 0x00, 0x00, //  creation_time
  0x00, 0x00, 0x00, 0x00, //  modification_time
  0x00, 0x01, 0x5f, 0x90, //  timescale 90000
  0x00, 0x00, 0x00, 0x00, //  duration 0 (unknown: fragmented)
  0x00, 0x01, 0x00, 0x00, //  rate 1.0
  0x01, 0x00, //              volume 1.0
  0x00, 0x00, //              reserved
  0, 0, 0, 0, 0, 0, 0, 0, //  reserved[2]
  ...MATRIX,
  ...new Array(24).fill(0), // pre_defined[6]
  0x00, 0x00, 0x00, 0x02, //  next_track_ID 2
];

const TKHD = [
  0x00, 0x00, 0x00, 0x5c, //  size 92
  ...fourcc('tkhd'),
  0x00, //                    version 0
  0x00, 0x00, 0x03, //        flags track_enabled | track_in_movie
  0x00, 0x00, 0x00, 0x00, //  creation_time
  0x00, 0x00, 0x00, 0x00, //  modification_time
  0x00, 0x00, 0x00, 0x01, //  track_ID 1
  0x00, 0x00, 0x00, 0x00, //  reserved
  0x00, 0x00, 0x00, 0x00, //  duration 0
  0, 0, 0, 0, 0, 0, 0, 0, //  reserved[2]
  0x00, 0x00, //              layer
  0x00, 0x00, //              alternate_group
  0x00, 0x00, //              volume 0 (video)
  0x00, 0x00, //              reserved
  ...MATRIX,
  0x05, 0x00, 0x00, 0x00, //  width 1280.0 (16.16)
  0x02, 0xd0, 0x00, 0x00, //  height 720.0 (16.16)
];

const MDHD = [
  0x00, 0x00, 0x00, 0x20, //  size 32
  ...fourcc('mdhd'),
  0x00, 0x00, 0x00, 0x00, //  version 0, flags 0
  0x00, 0x00, 0x00, 0x00, //  creation_time
  0x00, 0x00, 0x00, 0x00, //  modification_time
  0x00, 0x01, 0x5f, 0x90, //  timescale 90000
  0x00, 0x00, 0x00, 0x00, //  duration 0
  0x55, 0xc4, //              pad 0, language 'und' = (21, 14, 4) as 5-bit letters
  0x00, 0x00, //              pre_defined
];

const HDLR = [
  0x00, 0x00, 0x00, 0x2d, //  size 45
  ...fourcc('hdlr'),
  0x00, 0x00, 0x00, 0x00, //  version 0, flags 0
  0x00, 0x00, 0x00, 0x00, //  pre_defined
  ...fourcc('vide'), //       handler_type
  ...new Array(12).fill(0), // reserved[3]
  ...fourcc('Vide'), ...fourcc('oHan'), ...fourcc('dler'), 0x00, // name "VideoHandler", null-terminated
];

const VMHD = [
  0x00, 0x00, 0x00, 0x14, //  size 20
  ...fourcc('vmhd'),
  0x00, 0x00, 0x00, 0x01, //  version 0, flags 1 (required)
  0x00, 0x00, //              graphicsmode 0 (copy)
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // opcolor
];

const DINF = [
  0x00, 0x00, 0x00, 0x24, ...fourcc('dinf'), // size 36
  0x00, 0x00, 0x00, 0x1c, ...fourcc('dref'), // size 28
  0x00, 0x00, 0x00, 0x00, //  version 0, flags 0
  0x00, 0x00, 0x00, 0x01, //  entry_count 1
  0x00, 0x00, 0x00, 0x0c, ...fourcc('url '), // size 12
  0x00, 0x00, 0x00, 0x01, //  version 0, flags 1: media data in the same file
];

const AVC1 = [
  ...u32(86 + 8 + AVCC.length), // size 86 + avcC box
  ...fourcc('avc1'),
  0, 0, 0, 0, 0, 0, //        reserved[6]
  0x00, 0x01, //              data_reference_index 1
  0x00, 0x00, //              pre_defined
  0x00, 0x00, //              reserved
  ...new Array(12).fill(0), // pre_defined[3]
  0x05, 0x00, //              width 1280
  0x02, 0xd0, //              height 720
  0x00, 0x48, 0x00, 0x00, //  horizresolution 72 dpi
  0x00, 0x48, 0x00, 0x00, //  vertresolution 72 dpi
  0x00, 0x00, 0x00, 0x00, //  reserved
  0x00, 0x01, //              frame_count 1
  ...new Array(32).fill(0), // compressorname (empty)
  0x00, 0x18, //              depth 24
  0xff, 0xff, //              pre_defined -1
  ...u32(8 + AVCC.length), ...fourcc('avcC'), ...AVCC, // AVCConfigurationBox, record verbatim
];

const STTS = [0x00, 0x00, 0x00, 0x10, ...fourcc('stts'), 0, 0, 0, 0, /* entry_count */ 0, 0, 0, 0];
const STSC = [0x00, 0x00, 0x00, 0x10, ...fourcc('stsc'), 0, 0, 0, 0, /* entry_count */ 0, 0, 0, 0];
const STSZ = [0x00, 0x00, 0x00, 0x14, ...fourcc('stsz'), 0, 0, 0, 0, /* sample_size */ 0, 0, 0, 0, /* sample_count */ 0, 0, 0, 0];
const STCO = [0x00, 0x00, 0x00, 0x10, ...fourcc('stco'), 0, 0, 0, 0, /* entry_count */ 0, 0, 0, 0];

const MVEX = [
  0x00, 0x00, 0x00, 0x28, ...fourcc('mvex'), // size 40
  0x00, 0x00, 0x00, 0x20, ...fourcc('trex'), // size 32
  0x00, 0x00, 0x00, 0x00, //  version 0, flags 0
  0x00, 0x00, 0x00, 0x01, //  track_ID 1
  0x00, 0x00, 0x00, 0x01, //  default_sample_description_index 1
  0x00, 0x00, 0x00, 0x00, //  default_sample_duration 0
  0x00, 0x00, 0x00, 0x00, //  default_sample_size 0
  0x00, 0x00, 0x00, 0x00, //  default_sample_flags 0
];

function write(size: number, fn: (w: ByteWriter) => void): number[] {
  const w = new ByteWriter(size);
  fn(w);
  expect(w.pos).toBe(size);
  return [...w.bytes];
}

/** Box header + children. */
function box(type: string, ...children: number[][]): number[] {
  const body = children.flat();
  return [...u32(8 + body.length), ...fourcc(type), ...body];
}

describe('init segment box writers (byte-exact)', () => {
  it('ftyp', () => expect(write(36, writeFtyp)).toEqual(FTYP));
  it('mvhd', () => expect(write(108, (w) => writeMvhd(w, P))).toEqual(MVHD));
  it('tkhd', () => expect(write(92, (w) => writeTkhd(w, P))).toEqual(TKHD));
  it('mdhd', () => expect(write(32, (w) => writeMdhd(w, P))).toEqual(MDHD));
  it('hdlr', () => expect(write(45, writeHdlr)).toEqual(HDLR));
  it('vmhd', () => expect(write(20, writeVmhd)).toEqual(VMHD));
  it('dinf/dref/url', () => expect(write(36, writeDinf)).toEqual(DINF));
  it('avc1 + avcC', () => expect(write(AVC1.length, (w) => writeAvc1(w, P))).toEqual(AVC1));
  it('empty stts, stsc, stsz, stco', () => {
    expect(write(16, writeStts)).toEqual(STTS);
    expect(write(16, writeStsc)).toEqual(STSC);
    expect(write(20, writeStsz)).toEqual(STSZ);
    expect(write(16, writeStco)).toEqual(STCO);
  });
  it('mvex/trex', () => expect(write(40, (w) => writeMvex(w, P))).toEqual(MVEX));

  it('writeInitSegment = ftyp + moov(mvhd, trak(tkhd, mdia(mdhd, hdlr, minf(vmhd, dinf, stbl(stsd(avc1), stts, stsc, stsz, stco))))), mvex)', () => {
    const stsd = [...u32(16 + AVC1.length), ...fourcc('stsd'), 0, 0, 0, 0, /* entry_count */ 0, 0, 0, 1, ...AVC1];
    const stbl = box('stbl', stsd, STTS, STSC, STSZ, STCO);
    const minf = box('minf', VMHD, DINF, stbl);
    const trak = box('trak', TKHD, box('mdia', MDHD, HDLR, minf));
    const expected = [...FTYP, ...box('moov', MVHD, trak, MVEX)];

    const out = writeInitSegment({ width: 1280, height: 720, avcC: AVCC });
    expect([...out]).toEqual(expected);
    expect(out.length).toBe(627 + AVCC.length);
  });
});

describe('writeInitSegment options', () => {
  it('writes trackId and timescale where they belong', () => {
    const out = writeInitSegment({ width: 2, height: 4096, avcC: AVCC, trackId: 7, timescale: 1000 });
    const text = [...out];
    const at = (type: string): number => {
      const i = out.findIndex((_, k) => String.fromCharCode(...text.slice(k, k + 4)) === type);
      return i - 4; // box start
    };
    const view = new DataView(out.buffer);
    expect(view.getUint32(at('mvhd') + 20)).toBe(1000); // timescale
    expect(view.getUint32(at('mvhd') + 104)).toBe(8); // next_track_ID
    expect(view.getUint32(at('tkhd') + 20)).toBe(7); // track_ID
    expect(view.getUint32(at('tkhd') + 84)).toBe(2 * 65536);
    expect(view.getUint32(at('tkhd') + 88)).toBe(4096 * 65536);
    expect(view.getUint32(at('mdhd') + 20)).toBe(1000);
    expect(view.getUint32(at('trex') + 12)).toBe(7);
  });

  it.each([
    [{ width: 0 }, /width must be an integer in \[2, 4096\], got 0/],
    [{ width: 4098 }, /width must be an integer in \[2, 4096\]/],
    [{ height: 721 }, /height must be even \(4:2:0 chroma\), got 721/],
    [{ trackId: 0 }, /trackId must be an integer in \[1, 4294967295\]/],
    [{ timescale: 0 }, /timescale must be an integer in \[1, 4294967295\]/],
    [{ avcC: new Uint8Array(0) }, /avcC must be a Uint8Array of at least 1 byte/],
  ])('rejects %p with a TypeError', (patch, message) => {
    expect(() => writeInitSegment({ width: 1280, height: 720, avcC: AVCC, ...patch })).toThrow(message);
  });
});
