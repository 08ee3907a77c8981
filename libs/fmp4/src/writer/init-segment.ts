import { DEFAULT_TRACK_ID, VIDEO_TIMESCALE } from '../constants';
import { Fmp4Error } from '../errors';
import { parseAvcC } from '../avc/avcc';
import { ByteWriter } from './byte-writer';
import { FTYP_SIZE, type InitParams, moovSize, writeFtyp, writeMoov } from './init-boxes';
import { checkBytes, checkInteger, checkU32 } from './validate';

/** Options of {@link writeInitSegment}. */
export interface InitSegmentOptions {
  /** Pixels, even, 2..4096 (tkhd + avc1 sample entry). */
  width: number;
  /** Pixels, even, 2..4096. */
  height: number;
  /**
   * AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3.1), as WebCodecs
   * `decoderConfig.description` or {@link buildAvcC}; 4-byte NAL lengths.
   */
  avcC: Uint8Array;
  /** Track ID, u32 >= 1. Default 1. */
  trackId?: number;
  /** Ticks per second, u32 >= 1. Default 90000 ({@link VIDEO_TIMESCALE}). */
  timescale?: number;
}

/**
 * Writes an fMP4 init segment for one H.264 video track (ISO/IEC 14496-12
 * §8.2–8.8, ISO/IEC 14496-15 §5.4): ftyp + moov(mvhd, trak(tkhd, mdia(mdhd,
 * hdlr, minf(vmhd, dinf, stbl(stsd(avc1(avcC)), stts, stsc, stsz, stco)))),
 * mvex(trex)). Durations are 0 (live); sample tables are empty. Size is
 * 627 + avcC.length bytes, one allocation.
 *
 * @throws TypeError for out-of-range options;
 *         Fmp4Error ('truncated' | 'invalid-field' | 'unsupported') for a bad avcC
 *         or one whose NAL lengths are not 4 bytes.
 */
export function writeInitSegment(o: InitSegmentOptions): Uint8Array {
  const p: InitParams = {
    width: checkEvenDimension('width', o.width),
    height: checkEvenDimension('height', o.height),
    avcC: checkBytes('avcC', o.avcC, 1),
    trackId: checkU32('trackId', o.trackId ?? DEFAULT_TRACK_ID, 1),
    timescale: checkU32('timescale', o.timescale ?? VIDEO_TIMESCALE, 1),
  };
  const config = parseAvcC(p.avcC);
  if (config.nalLengthSize !== 4) {
    throw Fmp4Error.unsupported('avcC', 4, `lengthSizeMinusOne ${config.nalLengthSize - 1}; Vigil samples use 4-byte NAL lengths`);
  }
  const w = new ByteWriter(FTYP_SIZE + moovSize(p));
  writeFtyp(w);
  writeMoov(w, p);
  w.end(w.bytes.length, 'init segment');
  return w.bytes;
}

function checkEvenDimension(name: string, value: unknown): number {
  const v = checkInteger(name, value, 2, 4096);
  if (v % 2 !== 0) throw new TypeError(`${name} must be even (4:2:0 chroma), got ${v}`);
  return v;
}
