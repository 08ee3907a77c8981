import { splitAvcc } from '@vigil/fmp4';
import { AnnexBChunker } from './annexb-chunker';

// NAL units as OpenH264 writes them (header byte first; payloads shortened).
const SPS = [0x67, 0x42, 0xc0, 0x28, 0x8c, 0x8d, 0x40]; // nal_unit_type 7; profile 66, constraints 0xC0, level 40
const SPS_720 = [0x67, 0x42, 0xc0, 0x1f, 0x8c, 0x8d, 0x40]; // the same at level 3.1
const PPS = [0x68, 0xce, 0x3c, 0x80]; // nal_unit_type 8
const IDR = [0x65, 0x88, 0x84, 0x00, 0x33]; // nal_unit_type 5, coded slice of an IDR picture
const P = [0x41, 0x9a, 0x02, 0x00, 0x11]; // nal_unit_type 1, non-IDR slice
const AUD = [0x09, 0xf0]; // nal_unit_type 9

/** Annex B with 4-byte start codes, as OpenH264 emits. */
function annexB(...nalus: number[][]): Uint8Array {
  return Uint8Array.from(nalus.flatMap((n) => [0, 0, 0, 1, ...n]));
}

describe('AnnexBChunker', () => {
  test('an IDR access unit: key, slices only in AVCC, avcC from its SPS/PPS with the coded size', () => {
    const chunker = new AnnexBChunker(1920, 1080);
    const chunk = chunker.convert(annexB(SPS, PPS, IDR), 200_000);
    expect(chunk.type).toBe('key');
    expect(chunk.timestamp).toBe(200_000);
    expect(Array.from(chunk.data)).toEqual([0, 0, 0, 5, ...IDR]); // 4-byte length + the slice
    expect(chunk.decoderConfig).toEqual({
      avcC: Uint8Array.from([
        0x01, 0x42, 0xc0, 0x28, // version, profile, constraints, level: copied from the SPS
        0xff, 0xe1, // lengthSizeMinusOne 3, one SPS
        0x00, SPS.length, ...SPS,
        0x01, 0x00, PPS.length, ...PPS, // one PPS
      ]),
      width: 1920,
      height: 1080,
    });
    expect(chunker.currentAvcC).toEqual(chunk.decoderConfig!.avcC);
  });

  test('a P access unit: delta, no decoderConfig; AUDs are dropped', () => {
    const chunker = new AnnexBChunker(1280, 720);
    chunker.convert(annexB(SPS_720, PPS, IDR), 0);
    const chunk = chunker.convert(annexB(AUD, P), 200_000);
    expect(chunk).toEqual({ type: 'delta', timestamp: 200_000, data: Uint8Array.from([0, 0, 0, 5, ...P]) });
  });

  test('the same SPS/PPS again (every IDR repeats them) brings no new decoderConfig; new ones do', () => {
    const chunker = new AnnexBChunker(1920, 1080);
    expect(chunker.convert(annexB(SPS, PPS, IDR), 0).decoderConfig).toBeDefined();
    expect(chunker.convert(annexB(SPS, PPS, IDR), 1).decoderConfig).toBeUndefined();
    const changed = chunker.convert(annexB(SPS_720, PPS, IDR), 2);
    expect(changed.decoderConfig?.avcC[3]).toBe(0x1f);
  });

  test('several slices stay in order, each length-prefixed', () => {
    const chunker = new AnnexBChunker(64, 64);
    const chunk = chunker.convert(annexB(SPS, PPS, IDR, IDR), 0);
    expect(splitAvcc(chunk.data).map((n) => Array.from(n))).toEqual([IDR, IDR]);
  });

  test('refuses output the pipeline could not use', () => {
    const chunker = new AnnexBChunker(64, 64);
    expect(() => chunker.convert(annexB(P), 0)).toThrow('the encoder produced a frame before any SPS/PPS');
    expect(() => chunker.convert(annexB(SPS, PPS), 0)).toThrow('access unit without slices');
    expect(() => new AnnexBChunker(0, 64)).toThrow('width must be an integer >= 1, got 0');
  });
});
