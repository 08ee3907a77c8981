/**
 * Test-only builders of hostile fMP4 inputs: the nastiest payloads a Sentinel
 * could send inside one media message (at most {@link HOSTILE_PAYLOAD_BYTES}
 * bytes: MAX_MEDIA_MESSAGE_BYTES, 8 MiB, minus the 16-byte media header).
 * Used by the limit tests (`reader/limits.spec.ts`), the worst-message
 * benchmark (`bench/worst-message.bench.ts`) and the fuzzing seed corpus.
 *
 * Every builder writes straight into one Uint8Array (no number[] detour), so
 * building an 8 MiB input costs milliseconds.
 */
import { SAMPLE_FLAGS_SYNC, TFHD_DEFAULT_BASE_IS_MOOF, TFHD_DEFAULT_SAMPLE_DURATION_PRESENT, TFHD_DEFAULT_SAMPLE_FLAGS_PRESENT, TFHD_DEFAULT_SAMPLE_SIZE_PRESENT, TRUN_DATA_OFFSET_PRESENT, TRUN_SAMPLE_SIZE_PRESENT } from '../constants';
import { findBox } from '../reader/boxes';
import { writeFragment } from '../writer/fragment';
import { writeInitSegment } from '../writer/init-segment';
import { AVCC } from './fixtures';

/** Largest fMP4 payload of one media message: 8 MiB minus the 16-byte header, in bytes. */
export const HOSTILE_PAYLOAD_BYTES = 8 * 1024 * 1024 - 16;

/** Big-endian cursor that writes boxes into a fixed buffer. */
class Out {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos = 0;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  u8(v: number): void {
    this.bytes[this.pos++] = v;
  }
  u32(v: number): void {
    this.view.setUint32(this.pos, v >>> 0);
    this.pos += 4;
  }
  u64(v: number): void {
    this.u32(Math.floor(v / 2 ** 32));
    this.u32(v % 2 ** 32);
  }
  type(t: string): void {
    for (let i = 0; i < 4; i++) this.u8(t.charCodeAt(i));
  }
  /** Box header with a 32-bit size; returns the header offset. */
  header(type: string, size: number): number {
    const at = this.pos;
    this.u32(size);
    this.type(type);
    return at;
  }
  fullHeader(type: string, size: number, version: number, flags: number): void {
    this.header(type, size);
    this.u32(((version & 0xff) << 24) | (flags & 0xffffff));
  }
}

interface TrunTable {
  /** trun sample_count. */
  count: number;
  /** Bytes per sample row in the trun (0 or 4 here). */
  rowBytes: number;
  /** tfhd default_sample_size. */
  defaultSize: number;
  /** Bytes of 'free' padding inside the moof (after the traf). */
  moofPadding: number;
  /** Bytes of mdat payload. */
  payload: number;
}

/** moof(mfhd, traf(tfhd, tfdt, trun), [free]) + mdat, all samples sized by `t`. */
function fragmentWithTable(t: TrunTable, fillRow: (out: Out, i: number) => void): Uint8Array {
  const tfhdSize = 8 + 4 + 4 + 12;
  const tfdtSize = 8 + 4 + 8;
  const trunSize = 8 + 4 + 4 + 4 + t.count * t.rowBytes;
  const trafSize = 8 + tfhdSize + tfdtSize + trunSize;
  const moofSize = 8 + 16 + trafSize + t.moofPadding;
  const out = new Out(moofSize + 8 + t.payload);
  out.header('moof', moofSize);
  out.fullHeader('mfhd', 16, 0, 0);
  out.u32(1);
  out.header('traf', trafSize);
  const tfhdFlags =
    TFHD_DEFAULT_BASE_IS_MOOF | TFHD_DEFAULT_SAMPLE_DURATION_PRESENT | TFHD_DEFAULT_SAMPLE_SIZE_PRESENT | TFHD_DEFAULT_SAMPLE_FLAGS_PRESENT;
  out.fullHeader('tfhd', tfhdSize, 0, tfhdFlags);
  out.u32(1); // track_ID
  out.u32(18000); // default_sample_duration, 90 kHz ticks (0.2 s)
  out.u32(t.defaultSize);
  out.u32(SAMPLE_FLAGS_SYNC);
  out.fullHeader('tfdt', tfdtSize, 1, 0);
  out.u64(0);
  out.fullHeader('trun', trunSize, 0, TRUN_DATA_OFFSET_PRESENT | (t.rowBytes > 0 ? TRUN_SAMPLE_SIZE_PRESENT : 0));
  out.u32(t.count);
  out.u32(moofSize + 8); // data_offset: first byte of the mdat payload, relative to the moof
  for (let i = 0; i < t.count * (t.rowBytes > 0 ? 1 : 0); i++) fillRow(out, i);
  if (t.moofPadding > 0) {
    out.header('free', t.moofPadding);
    out.pos += t.moofPadding - 8;
  }
  out.header('mdat', 8 + t.payload);
  return out.bytes;
}

/**
 * A fragment whose trun declares about `bytes` samples of 0 bytes each (tfhd
 * default_sample_size 0, no per-sample rows: the table costs 0 bytes), an
 * empty mdat, and a 'free' box in the moof so the sample count stays below
 * the input length. Before the sample-count bound, parseFragment accepted it
 * after building one object per sample (finding 5: 2.5 s, 450 MiB).
 */
export function zeroSizeSamplesFragment(bytes = HOSTILE_PAYLOAD_BYTES): Uint8Array {
  const fixed = 8 + 16 + 8 + 28 + 20 + 20 + 8; // moof, mfhd, traf, tfhd, tfdt, trun (no rows), mdat headers
  const padding = bytes - fixed;
  return fragmentWithTable({ count: bytes - 64, rowBytes: 0, defaultSize: 0, moofPadding: padding, payload: 0 }, () => undefined);
}

/**
 * A fragment with as many 4-byte sample_size rows as fit (about bytes / 5),
 * every sample 1 byte, and an mdat holding exactly their sum: valid by every
 * rule except the sample-count bound.
 */
export function manySizedSamplesFragment(bytes = HOSTILE_PAYLOAD_BYTES): Uint8Array {
  const fixed = 8 + 16 + 8 + 28 + 20 + 20 + 8; // moof, mfhd, traf, tfhd, tfdt, trun (no rows), mdat headers
  const count = Math.floor((bytes - fixed) / 5);
  return fragmentWithTable({ count, rowBytes: 4, defaultSize: 0, moofPadding: 0, payload: count }, (out) => out.u32(1));
}

/**
 * A fragment whose moof holds `mfhd`, then as many empty 8-byte 'free' boxes as
 * fit, then a real traf: a walker that does per-box work pays ~1 M times.
 */
export function manyTinyBoxesFragment(bytes = HOSTILE_PAYLOAD_BYTES): Uint8Array {
  return fragmentWithHeadersAfterMfhd(bytes, (out) => out.header('free', 8));
}

/**
 * An init segment with `ftyp`, then as many empty 8-byte 'free' boxes at the
 * top level as fit (a parser must skip unknown top-level boxes), then the moov.
 */
export function manyTinyBoxesInitSegment(bytes = HOSTILE_PAYLOAD_BYTES): Uint8Array {
  const valid = writeInitSegment({ width: 1920, height: 1080, avcC: AVCC });
  const ftypSize = new DataView(valid.buffer).getUint32(0);
  const boxes = Math.floor((bytes - valid.length) / 8);
  const out = new Out(valid.length + boxes * 8);
  out.bytes.set(valid.subarray(0, ftypSize), 0);
  out.pos = ftypSize;
  for (let i = 0; i < boxes; i++) out.header('free', 8);
  out.bytes.set(valid.subarray(ftypSize), out.pos);
  return out.bytes;
}

/**
 * A moof whose first child is a box nested as deep as the bytes allow (each
 * level an 8-byte header whose size covers everything below), then a valid
 * fragment's traf: depth about bytes / 8.
 */
export function deepNestingFragment(bytes = HOSTILE_PAYLOAD_BYTES): Uint8Array {
  return fragmentWithHeadersAfterMfhd(bytes, (out, i, count) => out.header(i % 2 === 0 ? 'traf' : 'moof', (count - i) * 8));
}

/**
 * A valid one-sample fragment with as many 8-byte box headers as fit in `bytes` inserted into
 * its moof right after `mfhd` (`write(out, i, count)` writes header i of count), the moof size
 * and the trun `data_offset` (relative to the moof start) moved by the inserted bytes.
 */
function fragmentWithHeadersAfterMfhd(bytes: number, write: (out: Out, i: number, count: number) => void): Uint8Array {
  const valid = writeFragment({ sequenceNumber: 1, baseMediaDecodeTime: 0, duration: 18000, isSync: true, sample: new Uint8Array([0, 0, 0, 1, 0x65]) });
  const count = Math.floor((bytes - valid.length) / 8);
  const out = new Out(valid.length + count * 8);
  const moofSize = new DataView(valid.buffer).getUint32(0);
  // valid = moof(mfhd 16, traf) + mdat: the headers go after mfhd (offset 8 + 16)
  out.bytes.set(valid.subarray(0, 24), 0);
  out.pos = 24;
  for (let i = 0; i < count; i++) write(out, i, count);
  out.bytes.set(valid.subarray(24), out.pos);
  out.view.setUint32(0, moofSize + count * 8);
  const trunAt = findType(out.bytes, 'trun', out.pos);
  out.view.setUint32(trunAt + 16, out.view.getUint32(trunAt + 16) + count * 8);
  return out.bytes;
}

/**
 * `bytes` of boxes that each declare a 64-bit largesize of 2^53-1 (and, as
 * a second form, 32-bit sizes far past the end): the parser must refuse at
 * the first header without allocating.
 */
export function hugeDeclaredSizes(bytes = HOSTILE_PAYLOAD_BYTES): Uint8Array {
  const out = new Out(bytes);
  out.u32(1);
  out.type('moof');
  out.u32(0x1fffff);
  out.u32(0xffffffff);
  while (out.pos + 8 <= bytes) {
    out.u32(0xfffffff0);
    out.type('mdat');
  }
  return out.bytes;
}

/**
 * An init segment declaring `width` x `height` pixels (a valid one otherwise):
 * the server relays the size to proctors, so more than MAX_DIMENSION is refused.
 */
export function initSegmentOfSize(width: number, height: number): Uint8Array {
  // The writer refuses sizes over 4096, so write a valid one and patch avc1 width/height (u16 each).
  const init = writeInitSegment({ width: 640, height: 480, avcC: AVCC });
  const avc1 = findBox(init, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'avc1']);
  if (!avc1) throw new Error('no avc1');
  const view = new DataView(init.buffer);
  view.setUint16(avc1.contentStart + 24, width);
  view.setUint16(avc1.contentStart + 26, height);
  return init;
}

/**
 * An avcC with `spsCount` copies of a 4-byte SPS and `ppsCount` copies of a
 * 2-byte PPS (field limits: 31 and 255).
 */
export function avcCWithParameterSets(spsCount: number, ppsCount: number): Uint8Array {
  const sps = [0x67, 0x42, 0xc0, 0x1f];
  const pps = [0x68, 0xce];
  const out: number[] = [1, 0x42, 0xc0, 0x1f, 0xff, 0xe0 | spsCount];
  for (let i = 0; i < spsCount; i++) out.push(0, sps.length, ...sps);
  out.push(ppsCount);
  for (let i = 0; i < ppsCount; i++) out.push(0, pps.length, ...pps);
  return new Uint8Array(out);
}

/**
 * A realistic fragment: prft + moof + mdat with one AVCC sample of
 * `sampleBytes` (a 1080p screen IDR frame is ~100–400 kB at Vigil's bitrates).
 */
export function realisticFragment(sampleBytes = 300_000): Uint8Array {
  const sample = new Uint8Array(sampleBytes);
  new DataView(sample.buffer).setUint32(0, sampleBytes - 4);
  sample[4] = 0x65; // IDR slice NAL header
  return writeFragment({ sequenceNumber: 7, baseMediaDecodeTime: 126000, duration: 18000, isSync: true, sample, captureTimeMs: 1.7e12 });
}

function findType(data: Uint8Array, type: string, from: number): number {
  for (let i = from; i + 8 <= data.length; i++) {
    if (data[i + 4] === type.charCodeAt(0) && data[i + 5] === type.charCodeAt(1) && data[i + 6] === type.charCodeAt(2) && data[i + 7] === type.charCodeAt(3)) {
      return i;
    }
  }
  throw new Error(`no ${type} after ${from}`);
}
