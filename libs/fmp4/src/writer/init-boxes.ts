/**
 * Writers for the boxes of an init segment (ISO/IEC 14496-12 §8, ISO/IEC 14496-15 §5.4).
 * Each box has a size (constant or function) and a `write*` function that
 * appends exactly that many bytes to a {@link ByteWriter}. Containers write
 * their header, then call their children's writers.
 */
import { ByteWriter } from './byte-writer';

/** Normalised init segment parameters (validated by writeInitSegment). */
export interface InitParams {
  /** Luma width / height in pixels. */
  width: number;
  height: number;
  /** AVCDecoderConfigurationRecord, copied verbatim into `avcC`. */
  avcC: Uint8Array;
  trackId: number;
  /** Ticks per second of the movie and of the media. */
  timescale: number;
}

/** ftyp major_brand (§4.3): ISO BMFF 'iso6'; see README "Decisions". */
export const FTYP_MAJOR_BRAND = 'iso6';
/** ftyp minor_version: 0. */
export const FTYP_MINOR_VERSION = 0;
/** ftyp compatible_brands, in order; see README "Decisions" for why each is listed. */
export const FTYP_COMPATIBLE_BRANDS: readonly string[] = ['iso6', 'cmfc', 'iso5', 'avc1', 'mp41'];

/** Unity transformation matrix {a b u, c d v, x y w} in 16.16 / 2.30 fixed point (§8.2.2.3). */
const UNITY_MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
const HDLR_NAME = 'VideoHandler';

/** Bytes in `ftyp`. */
export const FTYP_SIZE = 16 + 4 * FTYP_COMPATIBLE_BRANDS.length;
/** `ftyp` File Type Box (§4.3): major brand, minor version, compatible brands. 36 bytes. */
export function writeFtyp(w: ByteWriter): void {
  const end = w.box(FTYP_SIZE, 'ftyp');
  w.fourcc(FTYP_MAJOR_BRAND);
  w.u32(FTYP_MINOR_VERSION);
  for (const brand of FTYP_COMPATIBLE_BRANDS) w.fourcc(brand);
  w.end(end, 'ftyp');
}

/** Bytes in `moov` for these parameters. */
export function moovSize(p: InitParams): number {
  return 8 + MVHD_SIZE + trakSize(p) + MVEX_SIZE;
}
/** `moov` Movie Box (§8.2.1): mvhd, trak, mvex. */
export function writeMoov(w: ByteWriter, p: InitParams): void {
  const end = w.box(moovSize(p), 'moov');
  writeMvhd(w, p);
  writeTrak(w, p);
  writeMvex(w, p);
  w.end(end, 'moov');
}

/** Bytes in `mvhd`. */
export const MVHD_SIZE = 108;
/** `mvhd` Movie Header Box v0 (§8.2.2): timescale, duration 0 (unknown, fragmented), next_track_ID. 108 bytes. */
export function writeMvhd(w: ByteWriter, p: InitParams): void {
  const end = w.fullBox(MVHD_SIZE, 'mvhd', 0, 0);
  w.u32(0); // creation_time
  w.u32(0); // modification_time
  w.u32(p.timescale);
  w.u32(0); // duration: 0 = unknown; fragments carry the media
  w.u32(0x00010000); // rate 1.0 (16.16)
  w.u16(0x0100); // volume 1.0 (8.8)
  w.skip(2 + 8); // reserved
  for (const m of UNITY_MATRIX) w.u32(m);
  w.skip(24); // pre_defined
  w.u32(Math.min(p.trackId + 1, 0xffffffff)); // next_track_ID
  w.end(end, 'mvhd');
}

/** Bytes in `trak` for these parameters. */
export function trakSize(p: InitParams): number {
  return 8 + TKHD_SIZE + mdiaSize(p);
}
/** `trak` Track Box (§8.3.1): tkhd, mdia. */
export function writeTrak(w: ByteWriter, p: InitParams): void {
  const end = w.box(trakSize(p), 'trak');
  writeTkhd(w, p);
  writeMdia(w, p);
  w.end(end, 'trak');
}

/** Bytes in `tkhd`. */
export const TKHD_SIZE = 92;
/**
 * `tkhd` Track Header Box v0 (§8.3.2), flags 3 (track_enabled | track_in_movie):
 * track_ID, duration 0, width/height in 16.16 fixed point. 92 bytes.
 */
export function writeTkhd(w: ByteWriter, p: InitParams): void {
  const end = w.fullBox(TKHD_SIZE, 'tkhd', 0, 0x000003);
  w.u32(0); // creation_time
  w.u32(0); // modification_time
  w.u32(p.trackId);
  w.skip(4); // reserved
  w.u32(0); // duration
  w.skip(8); // reserved
  w.u16(0); // layer
  w.u16(0); // alternate_group
  w.u16(0); // volume: 0 for video
  w.skip(2); // reserved
  for (const m of UNITY_MATRIX) w.u32(m);
  w.u32(p.width * 0x10000);
  w.u32(p.height * 0x10000);
  w.end(end, 'tkhd');
}

/** Bytes in `mdia` for these parameters. */
export function mdiaSize(p: InitParams): number {
  return 8 + MDHD_SIZE + HDLR_SIZE + minfSize(p);
}
/** `mdia` Media Box (§8.4.1): mdhd, hdlr, minf. */
export function writeMdia(w: ByteWriter, p: InitParams): void {
  const end = w.box(mdiaSize(p), 'mdia');
  writeMdhd(w, p);
  writeHdlr(w);
  writeMinf(w, p);
  w.end(end, 'mdia');
}

/** Bytes in `mdhd`. */
export const MDHD_SIZE = 32;
/** `mdhd` Media Header Box v0 (§8.4.2): media timescale (90000), duration 0, language 'und'. 32 bytes. */
export function writeMdhd(w: ByteWriter, p: InitParams): void {
  const end = w.fullBox(MDHD_SIZE, 'mdhd', 0, 0);
  w.u32(0); // creation_time
  w.u32(0); // modification_time
  w.u32(p.timescale);
  w.u32(0); // duration
  w.u16(0x55c4); // pad 0 + ISO 639-2/T 'und' as three 5-bit (char - 0x60) values
  w.u16(0); // pre_defined
  w.end(end, 'mdhd');
}

/** Bytes in `hdlr`. */
export const HDLR_SIZE = 12 + 4 + 4 + 12 + HDLR_NAME.length + 1;
/** `hdlr` Handler Reference Box (§8.4.3): handler_type 'vide', name "VideoHandler\0". 45 bytes. */
export function writeHdlr(w: ByteWriter): void {
  const end = w.fullBox(HDLR_SIZE, 'hdlr', 0, 0);
  w.u32(0); // pre_defined
  w.fourcc('vide');
  w.skip(12); // reserved
  for (let i = 0; i < HDLR_NAME.length; i++) w.u8(HDLR_NAME.charCodeAt(i));
  w.u8(0); // null terminator
  w.end(end, 'hdlr');
}

/** Bytes in `minf` for these parameters. */
export function minfSize(p: InitParams): number {
  return 8 + VMHD_SIZE + DINF_SIZE + stblSize(p);
}
/** `minf` Media Information Box (§8.4.4): vmhd, dinf, stbl. */
export function writeMinf(w: ByteWriter, p: InitParams): void {
  const end = w.box(minfSize(p), 'minf');
  writeVmhd(w);
  writeDinf(w);
  writeStbl(w, p);
  w.end(end, 'minf');
}

/** Bytes in `vmhd`. */
export const VMHD_SIZE = 20;
/** `vmhd` Video Media Header Box (§12.1.2), flags 1 as required: graphicsmode 0 (copy), opcolor 0. 20 bytes. */
export function writeVmhd(w: ByteWriter): void {
  const end = w.fullBox(VMHD_SIZE, 'vmhd', 0, 1);
  w.u16(0); // graphicsmode
  w.skip(6); // opcolor
  w.end(end, 'vmhd');
}

/** Bytes in `dinf`. */
export const DINF_SIZE = 36;
/** `dinf` Data Information Box (§8.7.1) holding `dref` (§8.7.2) with one self-contained `url ` (flags 1). 36 bytes. */
export function writeDinf(w: ByteWriter): void {
  const end = w.box(DINF_SIZE, 'dinf');
  writeDref(w);
  w.end(end, 'dinf');
}
/** Bytes in `dref`. */
export const DREF_SIZE = 28;
/** `dref` Data Reference Box (§8.7.2): entry_count 1, one `url ` FullBox with flags 1 (media in this file). 28 bytes. */
export function writeDref(w: ByteWriter): void {
  const end = w.fullBox(DREF_SIZE, 'dref', 0, 0);
  w.u32(1); // entry_count
  const urlEnd = w.fullBox(12, 'url ', 0, 1); // flags 1: media data is in this file
  w.end(urlEnd, 'url ');
  w.end(end, 'dref');
}

/** Bytes in `stbl` for these parameters. */
export function stblSize(p: InitParams): number {
  return 8 + stsdSize(p) + STTS_SIZE + STSC_SIZE + STSZ_SIZE + STCO_SIZE;
}
/** `stbl` Sample Table Box (§8.5.1): stsd plus empty stts, stsc, stsz, stco (samples live in fragments). */
export function writeStbl(w: ByteWriter, p: InitParams): void {
  const end = w.box(stblSize(p), 'stbl');
  writeStsd(w, p);
  writeStts(w);
  writeStsc(w);
  writeStsz(w);
  writeStco(w);
  w.end(end, 'stbl');
}

/** Bytes in `stsd` for these parameters. */
export function stsdSize(p: InitParams): number {
  return 16 + avc1Size(p);
}
/** `stsd` Sample Description Box (§8.5.2): one `avc1` entry. */
export function writeStsd(w: ByteWriter, p: InitParams): void {
  const end = w.fullBox(stsdSize(p), 'stsd', 0, 0);
  w.u32(1); // entry_count
  writeAvc1(w, p);
  w.end(end, 'stsd');
}

/** Bytes in `avc1` for these parameters. */
export function avc1Size(p: InitParams): number {
  return 86 + avcCBoxSize(p);
}
/**
 * `avc1` AVC sample entry (ISO/IEC 14496-15 §5.4.2.1, VisualSampleEntry of
 * ISO/IEC 14496-12 §12.1.3): width, height, 72 dpi, frame_count 1, depth 0x18,
 * then `avcC`. 86 bytes + avcC box.
 */
export function writeAvc1(w: ByteWriter, p: InitParams): void {
  const end = w.box(avc1Size(p), 'avc1');
  w.skip(6); // reserved
  w.u16(1); // data_reference_index -> the dref 'url ' entry
  w.skip(2 + 2 + 12); // pre_defined, reserved, pre_defined
  w.u16(p.width);
  w.u16(p.height);
  w.u32(0x00480000); // horizresolution 72 dpi (16.16)
  w.u32(0x00480000); // vertresolution 72 dpi
  w.skip(4); // reserved
  w.u16(1); // frame_count: one frame per sample
  w.skip(32); // compressorname: empty (length byte 0)
  w.u16(0x0018); // depth: colour, no alpha
  w.u16(0xffff); // pre_defined = -1
  writeAvcCBox(w, p);
  w.end(end, 'avc1');
}

/** Bytes in the `avcC` box for these parameters. */
export function avcCBoxSize(p: InitParams): number {
  return 8 + p.avcC.length;
}
/** `avcC` AVCConfigurationBox (ISO/IEC 14496-15 §5.4.2.1): the record, copied as given. 8 + avcC bytes. */
export function writeAvcCBox(w: ByteWriter, p: InitParams): void {
  const end = w.box(avcCBoxSize(p), 'avcC');
  w.copy(p.avcC);
  w.end(end, 'avcC');
}

/** Bytes in `stts`. */
export const STTS_SIZE = 16;
/** `stts` Decoding Time to Sample Box (§8.6.1.2), entry_count 0. 16 bytes. */
export function writeStts(w: ByteWriter): void {
  w.end(emptyTable(w, STTS_SIZE, 'stts'), 'stts');
}

/** Bytes in `stsc`. */
export const STSC_SIZE = 16;
/** `stsc` Sample To Chunk Box (§8.7.4), entry_count 0. 16 bytes. */
export function writeStsc(w: ByteWriter): void {
  w.end(emptyTable(w, STSC_SIZE, 'stsc'), 'stsc');
}

/** Bytes in `stsz`. */
export const STSZ_SIZE = 20;
/** `stsz` Sample Size Box (§8.7.3.2), sample_size 0, sample_count 0. 20 bytes. */
export function writeStsz(w: ByteWriter): void {
  const end = w.fullBox(STSZ_SIZE, 'stsz', 0, 0);
  w.u32(0); // sample_size
  w.u32(0); // sample_count
  w.end(end, 'stsz');
}

/** Bytes in `stco`. */
export const STCO_SIZE = 16;
/** `stco` Chunk Offset Box (§8.7.5), entry_count 0. 16 bytes. */
export function writeStco(w: ByteWriter): void {
  w.end(emptyTable(w, STCO_SIZE, 'stco'), 'stco');
}

/** Bytes in `mvex`. */
export const MVEX_SIZE = 40;
/** `mvex` Movie Extends Box (§8.8.1): one `trex`; announces movie fragments. 40 bytes. */
export function writeMvex(w: ByteWriter, p: InitParams): void {
  const end = w.box(MVEX_SIZE, 'mvex');
  writeTrex(w, p);
  w.end(end, 'mvex');
}

/** Bytes in `trex`. */
export const TREX_SIZE = 32;
/**
 * `trex` Track Extends Box (§8.8.3): track_ID, default_sample_description_index 1,
 * default duration/size/flags 0 (every trun carries its own). 32 bytes.
 */
export function writeTrex(w: ByteWriter, p: InitParams): void {
  const end = w.fullBox(TREX_SIZE, 'trex', 0, 0);
  w.u32(p.trackId);
  w.u32(1); // default_sample_description_index
  w.u32(0); // default_sample_duration
  w.u32(0); // default_sample_size
  w.u32(0); // default_sample_flags
  w.end(end, 'trex');
}

/** FullBox with a single u32 entry_count = 0; returns the box end. */
function emptyTable(w: ByteWriter, size: number, type: string): number {
  const end = w.fullBox(size, type, 0, 0);
  w.u32(0); // entry_count
  return end;
}
