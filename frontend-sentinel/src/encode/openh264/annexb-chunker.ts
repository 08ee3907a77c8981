/**
 * OpenH264 output (one Annex B access unit per frame, ITU-T H.264 Annex B) to the pipeline's
 * {@link EncodedVideo}, the same shape the WebCodecs backend produces with `avc: {format: 'avc'}`:
 *
 * - `data`: the access unit in AVCC form (4-byte big-endian NAL lengths, ISO/IEC 14496-15
 *   §5.3.2) without SPS, PPS and access unit delimiters: parameter sets travel in the `avcC`
 *   of the init segment, as in every `avc1` track;
 * - `type`: 'key' when the access unit holds an IDR slice (nal_unit_type 5), read from the
 *   bitstream itself rather than trusted from the encoder's frame type;
 * - `decoderConfig`: the avcC (`buildAvcC(sps, pps)`) with the coded size, whenever the SPS or
 *   PPS differ from the last ones sent (so the muxer writes a new init segment only then).
 *
 * Pure: no wasm, no DOM. Used inside the encoder Worker and by the Node tests.
 */
import { buildAvcC, NAL_TYPE_IDR, NAL_TYPE_PPS, NAL_TYPE_SPS, nalUnitType, nalusToAvcc, splitAnnexB } from '@vigil/fmp4';
import type { EncodedVideo } from '../encoder-backend';
import { assertIntegerInRange } from '../../util/assert';

/** nal_unit_type of an access unit delimiter (ITU-T H.264 Table 7-1). */
const NAL_TYPE_AUD = 9;

/** Converts access units of one encoder instance; see the module comment. */
export class AnnexBChunker {
  private avcC: Uint8Array | null = null;

  /**
   * @param width coded width in pixels, reported in `decoderConfig`
   * @param height coded height in pixels
   */
  constructor(
    private readonly width: number,
    private readonly height: number,
  ) {
    assertIntegerInRange('width', width, 1);
    assertIntegerInRange('height', height, 1);
  }

  /** The avcC last reported, or null before the first IDR. */
  get currentAvcC(): Uint8Array | null {
    return this.avcC;
  }

  /**
   * One access unit.
   * @param annexB the encoder's output for one frame (start-code delimited); not kept
   * @param timestamp the input frame's timestamp, microseconds
   * @throws Error when the access unit has no slice, or a delta frame comes before any SPS/PPS
   */
  convert(annexB: Uint8Array, timestamp: number): EncodedVideo {
    const nalus = splitAnnexB(annexB);
    let sps: Uint8Array | null = null;
    let pps: Uint8Array | null = null;
    let isKey = false;
    const kept: Uint8Array[] = [];
    for (const nal of nalus) {
      const type = nalUnitType(nal);
      if (type === NAL_TYPE_SPS) {
        sps ??= nal;
      } else if (type === NAL_TYPE_PPS) {
        pps ??= nal;
      } else if (type !== NAL_TYPE_AUD) {
        if (type === NAL_TYPE_IDR) isKey = true;
        kept.push(nal);
      }
    }
    if (kept.length === 0) throw new Error(`the encoder produced an access unit without slices (${annexB.length} bytes)`);
    const chunk: EncodedVideo = { type: isKey ? 'key' : 'delta', timestamp, data: nalusToAvcc(kept) };
    if (sps !== null && pps !== null) {
      const avcC = buildAvcC(sps, pps);
      if (this.avcC === null || !sameBytes(avcC, this.avcC)) {
        this.avcC = avcC;
        chunk.decoderConfig = { avcC: avcC.slice(), width: this.width, height: this.height };
      }
    } else if (this.avcC === null) {
      throw new Error('the encoder produced a frame before any SPS/PPS: its first access unit must be an IDR');
    }
    return chunk;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
