/**
 * A decoded frame's planes scaled down to a tile's RGBA pixels (pure, no browser API), so a
 * wall tile can paint a 1920x1080 frame without drawing the whole frame: with software
 * canvases (no GPU) Chromium's `drawImage(VideoFrame)` converts every one of the frame's
 * 2 million pixels to RGB and filters them down, 6–15 ms a frame on this machine, which 100
 * tiles at 1 fps cannot afford; this reads a few luma samples per tile pixel (a box average
 * over a sparse grid of the pixel's source block) and one chroma sample, about 1 ms.
 *
 * Input: the planes of an `I420` or `NV12` frame as `VideoFrame.copyTo` lays them out
 * (W3C WebCodecs §9.4, `PlaneLayout`: offset and stride, bytes). Output: RGBA, 4 bytes a pixel,
 * row after row, alpha 255. Colour: Y'CbCr to R'G'B' by ITU-R BT.709-6 (Table 3, items 3.2–3.3)
 * or BT.601-7 (§2.5.1–2.5.3) coefficients, limited range (Y' 16–235, C 16–240, §2.5.3 / item 6.10)
 * or full range. Text in a thumbnail is not readable anyway; the tile shows the layout of the
 * screen, its colours and its changes.
 */

/** One plane of a copied frame (WebCodecs `PlaneLayout`). */
export interface PlaneLayout {
  /** Byte offset of the plane's first row in the buffer. */
  readonly offset: number;
  /** Bytes from one row to the next. */
  readonly stride: number;
}

/** A frame copied out of a `VideoFrame` (`copyTo`): its pixel format, visible size and planes. */
export interface PlanarFrame {
  /** `I420`: Y, U, V planes, chroma halved both ways; `NV12`: Y plane, then U and V interleaved. */
  readonly format: 'I420' | 'NV12';
  /** Visible width and height, pixels (`visibleRect`). */
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  /** Y, U, V (I420) or Y, UV (NV12). */
  readonly planes: readonly PlaneLayout[];
}

/** The colour of the frame's samples (from `VideoFrame.colorSpace`). */
export interface ThumbnailColour {
  /** `bt709` (the H.264 default for HD and what Chromium's encoder writes) or `bt601` (`smpte170m`, `bt470bg`). */
  readonly matrix: 'bt709' | 'bt601';
  /** Full range (0–255) or limited range (Y' 16–235). */
  readonly fullRange: boolean;
}

/** The pixel formats {@link frameThumbnail} reads. */
export function isThumbnailFormat(format: string | null | undefined): format is PlanarFrame['format'] {
  return format === 'I420' || format === 'NV12';
}

/**
 * The colour of a frame from its `VideoFrameColorSpaceInit`-like fields; unknown matrices read
 * as BT.709, unknown range as limited (what H.264 means when the VUI says nothing, ITU-T H.264 E.2.1).
 */
export function thumbnailColour(space: { matrix?: string | null; fullRange?: boolean | null } | null | undefined): ThumbnailColour {
  const m = space?.matrix;
  return { matrix: m === 'smpte170m' || m === 'bt470bg' ? 'bt601' : 'bt709', fullRange: space?.fullRange === true };
}

/** Room in {@link CLAMP} below 0 and above 255 for R, G, B before clamping. */
const CLAMP_OFFSET = 512;
/** `CLAMP[v + CLAMP_OFFSET]` is v clamped to 0–255. */
const CLAMP = (() => {
  const t = new Uint8Array(1280);
  for (let i = 0; i < t.length; i++) t[i] = Math.max(0, Math.min(255, i - CLAMP_OFFSET));
  return t;
})();

/** Whether this machine stores a `Uint32Array` element lowest byte first (then R, the first byte of a pixel, is the lowest). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Per-sample-value tables of one colour: Y' and each chroma term in 0–255 units, rounded. */
interface ColourTables {
  readonly yLut: Int16Array;
  readonly rCr: Int16Array;
  readonly gCb: Int16Array;
  readonly gCr: Int16Array;
  readonly bCb: Int16Array;
}

const colourTableCache = new Map<string, ColourTables>();

/** R'G'B' = Y' + coefficients × (Cb, Cr), each scaled for the range; see the module comment. */
function colourTables(colour: ThumbnailColour): ColourTables {
  const key = `${colour.matrix}/${colour.fullRange}`;
  const cached = colourTableCache.get(key);
  if (cached) return cached;
  const bt601 = colour.matrix === 'bt601';
  const crR = bt601 ? 1.402 : 1.5748;
  const cbG = bt601 ? -0.344136 : -0.187324;
  const crG = bt601 ? -0.714136 : -0.468124;
  const cbB = bt601 ? 1.772 : 1.8556;
  const yScale = colour.fullRange ? 1 : 255 / 219;
  const yOffset = colour.fullRange ? 0 : 16;
  const cScale = colour.fullRange ? 1 : 255 / 224;
  const table = (f: (v: number) => number) => Int16Array.from({ length: 256 }, (_, v) => Math.round(f(v)));
  const t: ColourTables = {
    yLut: table((v) => (v - yOffset) * yScale),
    rCr: table((v) => crR * (v - 128) * cScale),
    gCb: table((v) => cbG * (v - 128) * cScale),
    gCr: table((v) => crG * (v - 128) * cScale),
    bCb: table((v) => cbB * (v - 128) * cScale),
  };
  colourTableCache.set(key, t);
  return t;
}

/** Where each output column or row takes its samples: for output index i, `n` source indices. */
function sampleGrid(src: number, out: number, perPixel: number): Int32Array {
  const grid = new Int32Array(out * perPixel);
  for (let i = 0; i < out; i++) {
    const start = (i * src) / out;
    const span = src / out;
    for (let k = 0; k < perPixel; k++) grid[i * perPixel + k] = Math.min(src - 1, Math.floor(start + ((k + 0.5) * span) / perPixel));
  }
  return grid;
}

/** Grids and coefficients for one (source size, output size, colour); see {@link ThumbnailScaler}. */
interface ScalerPlan {
  readonly cols: Int32Array;
  readonly rows: Int32Array;
  readonly chromaCols: Int32Array;
  readonly chromaRows: Int32Array;
  readonly n: number;
}

/**
 * Scales frames of one size into RGBA thumbnails of one size, reusing its sample grids from frame
 * to frame (a tile keeps one).
 */
export class ThumbnailScaler {
  private plan: ScalerPlan | null = null;
  private planKey = '';

  /**
   * @param samplesPerAxis luma samples per output pixel along each axis (the box average reads
   *   `samplesPerAxis²` of them, spread evenly over the pixel's source block); 1 is a nearest
   *   sample (aliased), 3 is smooth enough for a tile and about 10 reads a pixel
   */
  constructor(private readonly samplesPerAxis = 3) {
    if (!Number.isInteger(samplesPerAxis) || samplesPerAxis < 1 || samplesPerAxis > 8) throw new RangeError(`samplesPerAxis must be an integer 1–8, not ${samplesPerAxis}`);
  }

  /**
   * Writes the thumbnail of `frame` into `out` (`out.width` x `out.height` RGBA pixels).
   * @throws RangeError when the planes do not fit in `frame.data`, or a size is not positive
   */
  scale(frame: PlanarFrame, colour: ThumbnailColour, out: { readonly width: number; readonly height: number; readonly data: Uint8ClampedArray }): void {
    const { width: w, height: h } = frame;
    const { width: ow, height: oh } = out;
    if (!(w > 0 && h > 0 && ow > 0 && oh > 0)) throw new RangeError(`sizes must be positive: frame ${w}x${h}, thumbnail ${ow}x${oh}`);
    if (out.data.length < ow * oh * 4) throw new RangeError(`thumbnail buffer holds ${out.data.length} bytes, ${ow * oh * 4} needed`);
    const cw = (w + 1) >> 1;
    const ch = (h + 1) >> 1;
    const [yPlane, uPlane, vPlane] = frame.planes;
    const nv12 = frame.format === 'NV12';
    if (!yPlane || !uPlane || (!nv12 && !vPlane)) throw new RangeError(`${frame.format} needs ${nv12 ? 2 : 3} planes, got ${frame.planes.length}`);
    const need = (p: PlaneLayout, rowBytes: number, rows: number) => p.offset + p.stride * (rows - 1) + rowBytes;
    if (
      need(yPlane, w, h) > frame.data.length ||
      need(uPlane, nv12 ? cw * 2 : cw, ch) > frame.data.length ||
      (!nv12 && vPlane && need(vPlane, cw, ch) > frame.data.length)
    ) {
      throw new RangeError(`the ${frame.format} planes of a ${w}x${h} frame do not fit in ${frame.data.length} bytes`);
    }

    const key = `${w}x${h}>${ow}x${oh}`;
    if (this.plan === null || this.planKey !== key) {
      const n = Math.max(1, Math.min(this.samplesPerAxis, Math.floor(w / ow), Math.floor(h / oh)));
      this.plan = { cols: sampleGrid(w, ow, n), rows: sampleGrid(h, oh, n), chromaCols: sampleGrid(cw, ow, 1), chromaRows: sampleGrid(ch, oh, 1), n };
      this.planKey = key;
    }
    const { cols, rows, chromaCols, chromaRows, n } = this.plan;

    const { yLut, rCr, gCb, gCr, bCb } = colourTables(colour);
    const src = frame.data;
    const pixels = new Uint32Array(out.data.buffer, out.data.byteOffset, ow * oh);
    const samples = n * n;
    const yStride = yPlane.stride;
    const uStride = uPlane.stride;
    const vOffset = nv12 ? uPlane.offset + 1 : vPlane!.offset;
    const vStride = nv12 ? uPlane.stride : vPlane!.stride;
    const chromaStep = nv12 ? 2 : 1;
    // the average of `samples` luma values as (sum × recip) >> 16, exact for sums up to 64 × 255
    const recip = Math.ceil(65536 / samples);
    const littleEndian = LITTLE_ENDIAN;
    let o = 0;
    for (let oy = 0; oy < oh; oy++) {
      const r = oy * n;
      const r0 = yPlane.offset + rows[r]! * yStride;
      // the rows of a 3×3 (or 2×2) grid; unused ones repeat the first
      const r1 = n > 1 ? yPlane.offset + rows[r + 1]! * yStride : r0;
      const r2 = n > 2 ? yPlane.offset + rows[r + 2]! * yStride : r0;
      const cRow = chromaRows[oy]!;
      const uRow = uPlane.offset + cRow * uStride;
      const vRow = vOffset + cRow * vStride;
      for (let ox = 0; ox < ow; ox++) {
        const c = ox * n;
        let sum: number;
        if (n === 3) {
          const x0 = cols[c]!;
          const x1 = cols[c + 1]!;
          const x2 = cols[c + 2]!;
          sum = src[r0 + x0]! + src[r0 + x1]! + src[r0 + x2]! + src[r1 + x0]! + src[r1 + x1]! + src[r1 + x2]! + src[r2 + x0]! + src[r2 + x1]! + src[r2 + x2]!;
        } else if (n === 2) {
          const x0 = cols[c]!;
          const x1 = cols[c + 1]!;
          sum = src[r0 + x0]! + src[r0 + x1]! + src[r1 + x0]! + src[r1 + x1]!;
        } else if (n === 1) {
          sum = src[r0 + cols[c]!]!;
        } else {
          sum = 0;
          for (let j = 0; j < n; j++) {
            const row = yPlane.offset + rows[r + j]! * yStride;
            for (let i = 0; i < n; i++) sum += src[row + cols[c + i]!]!;
          }
        }
        const y = yLut[(sum * recip) >>> 16]! + CLAMP_OFFSET;
        const cCol = chromaCols[ox]! * chromaStep;
        const cb = src[uRow + cCol]!;
        const cr = src[vRow + cCol]!;
        const red = CLAMP[y + rCr[cr]!]!;
        const green = CLAMP[y + gCb[cb]! + gCr[cr]!]!;
        const blue = CLAMP[y + bCb[cb]!]!;
        pixels[o++] = littleEndian ? 0xff000000 | (blue << 16) | (green << 8) | red : (red << 24) | (green << 16) | (blue << 8) | 0xff; // int32 bits, stored as they are
      }
    }
  }
}
