import { codecStringFromConfig, parseAvcC } from '../avc/avcc';
import { Fmp4Error } from '../errors';
import { MAX_CHILD_BOXES, MAX_DIMENSION } from '../limits';
import { type BoxHeader, childBoxes, readBoxes } from './boxes';
import { FieldReader, viewOf } from './field-reader';

/** What {@link parseInitSegment} reports about an init segment. */
export interface InitSegmentInfo {
  /** Pixels, from the avc1 sample entry. */
  width: number;
  height: number;
  /** Media timescale (mdhd), ticks per second; 90000 for Vigil. */
  timescale: number;
  /** tkhd track_ID. */
  trackId: number;
  /** AVCDecoderConfigurationRecord: a subarray of the input, no copy. */
  avcC: Uint8Array;
  /** codecStringFromAvcC(avcC), e.g. 'avc1.42C01F'. */
  codec: string;
  /** Bytes of the init segment (= input length). */
  byteLength: number;
}

/**
 * Parses and validates an fMP4 init segment with one H.264 video track
 * (ISO/IEC 14496-12 §8.2–8.8, ISO/IEC 14496-15 §5.4): `ftyp` first, one
 * `moov` with exactly one `trak` whose handler is 'vide' and whose single
 * sample entry is `avc1` + a valid `avcC` with 4-byte NAL lengths, and
 * `mvex/trex` for that track. Other top-level boxes (free, skip, udta…) are
 * skipped, media boxes (moof, mdat) are rejected. Bounds (limits.ts): at most
 * MAX_CHILD_BOXES boxes at the top level and in each container walked,
 * width and height 1..MAX_DIMENSION (4096) pixels, at most
 * MAX_AVCC_PARAMETER_SETS SPS and PPS.
 *
 * @throws Fmp4Error with reason 'truncated' | 'bad-box-size' | 'missing-box' |
 *         'unsupported' | 'invalid-field' | 'limit-exceeded'; the message names
 *         box path and offset.
 */
export function parseInitSegment(data: Uint8Array): InitSegmentInfo {
  if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
  const view = viewOf(data);
  let ftyp: BoxHeader | null = null;
  let moov: BoxHeader | null = null;
  for (const box of readBoxes(data, 0, data.length, '', MAX_CHILD_BOXES)) {
    if (ftyp === null && box.type !== 'ftyp') throw Fmp4Error.missingBox('', 'ftyp', box.start);
    if (box.type === 'ftyp' || box.type === 'moov') {
      if ((box.type === 'ftyp' ? ftyp : moov) !== null) {
        throw Fmp4Error.unsupported(box.path, box.start, `second '${box.type}' box; an init segment has one`);
      }
      if (box.type === 'ftyp') ftyp = box;
      else moov = box;
    } else if (box.type === 'moof' || box.type === 'mdat') {
      throw Fmp4Error.unsupported(box.path, box.start, 'media data in an init segment; send it as a fragment');
    }
  }
  if (ftyp === null) throw Fmp4Error.missingBox('', 'ftyp', 0);
  if (moov === null) throw Fmp4Error.missingBox('', 'moov', ftyp.end);

  const traks = childrenOfType(data, moov, 'trak');
  if (traks.length === 0) throw Fmp4Error.missingBox(moov.path, 'trak', moov.contentStart);
  if (traks.length > 1) {
    throw Fmp4Error.unsupported(moov.path, moov.start, `${traks.length} tracks; Vigil init segments carry one video track`);
  }
  const trak = traks[0];

  // tkhd (§8.3.2): track_ID after creation/modification times (32- or 64-bit by version).
  const tkhd = new FieldReader(data, view, requireChild(data, trak, 'tkhd'));
  const tkhdVersion = tkhd.fullBox().version;
  tkhd.expectVersion(tkhdVersion, [0, 1]);
  tkhd.skip(tkhdVersion === 1 ? 16 : 8);
  const trackIdAt = tkhd.pos;
  const trackId = tkhd.u32();
  if (trackId === 0) throw Fmp4Error.invalidField('moov/trak/tkhd', trackIdAt, 'track_ID', 'must not be 0');

  const mdia = requireChild(data, trak, 'mdia');
  // mdhd (§8.4.2): timescale after creation/modification times.
  const mdhd = new FieldReader(data, view, requireChild(data, mdia, 'mdhd'));
  const mdhdVersion = mdhd.fullBox().version;
  mdhd.expectVersion(mdhdVersion, [0, 1]);
  mdhd.skip(mdhdVersion === 1 ? 16 : 8);
  const timescaleAt = mdhd.pos;
  const timescale = mdhd.u32();
  if (timescale === 0) throw Fmp4Error.invalidField('moov/trak/mdia/mdhd', timescaleAt, 'timescale', 'must not be 0');

  // hdlr (§8.4.3): handler_type after pre_defined.
  const hdlrBox = requireChild(data, mdia, 'hdlr');
  const hdlr = new FieldReader(data, view, hdlrBox);
  hdlr.fullBox();
  hdlr.skip(4);
  const handler = hdlr.fourcc();
  if (handler !== 'vide') {
    throw Fmp4Error.unsupported(hdlrBox.path, hdlrBox.start, `handler_type '${handler}'; only video ('vide') tracks`);
  }

  // stsd (§8.5.2) -> exactly one avc1 entry (ISO/IEC 14496-15 §5.4.2.1).
  const stbl = requireChild(data, requireChild(data, mdia, 'minf'), 'stbl');
  const stsdBox = requireChild(data, stbl, 'stsd');
  const stsd = new FieldReader(data, view, stsdBox);
  stsd.expectVersion(stsd.fullBox().version, [0]);
  const entryCount = stsd.u32();
  if (entryCount !== 1) {
    if (entryCount === 0) throw Fmp4Error.invalidField(stsdBox.path, stsdBox.start, 'entry_count', 'is 0');
    throw Fmp4Error.unsupported(stsdBox.path, stsdBox.start, `${entryCount} sample entries; expected one`);
  }
  const entry = childBoxes(data, stsdBox).next().value;
  if (!entry) throw Fmp4Error.missingBox(stsdBox.path, 'avc1', stsdBox.contentStart + 8);
  if (entry.type !== 'avc1') {
    throw Fmp4Error.unsupported(entry.path, entry.start, `sample entry '${entry.type}'; only H.264 'avc1'`);
  }
  // VisualSampleEntry (ISO/IEC 14496-12 §12.1.3): width, height at content offset 24.
  const avc1 = new FieldReader(data, view, entry);
  avc1.skip(24);
  const width = avc1.u16();
  const height = avc1.u16();
  if (width === 0 || height === 0) {
    throw Fmp4Error.invalidField(entry.path, entry.contentStart + 24, 'width/height', `${width}x${height}`);
  }
  // The server relays the size to proctors; the Sentinel downscales to fit 1920x1080.
  if (width > MAX_DIMENSION || height > MAX_DIMENSION) {
    const size = `${width}x${height} pixels`;
    throw Fmp4Error.limitExceeded(entry.path, entry.contentStart + 24, 'picture size', size, 'MAX_DIMENSION', MAX_DIMENSION);
  }
  const avcCBox = requireChild(data, entry, 'avcC');
  const avcC = data.subarray(avcCBox.contentStart, avcCBox.end);
  const config = parseAvcC(avcC, avcCBox.path, avcCBox.contentStart);
  if (config.nalLengthSize !== 4) {
    throw Fmp4Error.unsupported(
      avcCBox.path,
      avcCBox.contentStart + 4,
      `NAL length size ${config.nalLengthSize}; Vigil samples use 4-byte lengths`,
    );
  }

  // mvex/trex (§8.8.1, §8.8.3) for our track: required for movie fragments.
  const mvex = requireChild(data, moov, 'mvex');
  const trex = childrenOfType(data, mvex, 'trex').find((b) => readU32(view, b, 4) === trackId);
  if (!trex) throw Fmp4Error.missingBox(mvex.path, 'trex', mvex.contentStart);

  return { width, height, timescale, trackId, avcC, codec: codecStringFromConfig(config), byteLength: data.length };
}

function childrenOfType(data: Uint8Array, parent: BoxHeader, type: string): BoxHeader[] {
  const out: BoxHeader[] = [];
  for (const box of childBoxes(data, parent)) if (box.type === type) out.push(box);
  return out;
}

function requireChild(data: Uint8Array, parent: BoxHeader, type: string): BoxHeader {
  for (const box of childBoxes(data, parent)) if (box.type === type) return box;
  throw Fmp4Error.missingBox(parent.path, type, parent.contentStart);
}

/** u32 at content offset `at` of `box`, bounds-checked. */
function readU32(view: DataView, box: BoxHeader, at: number): number {
  if (box.contentStart + at + 4 > box.end) {
    throw Fmp4Error.truncated(box.path, box.contentStart + at, 4, Math.max(0, box.end - box.contentStart - at));
  }
  return view.getUint32(box.contentStart + at);
}
