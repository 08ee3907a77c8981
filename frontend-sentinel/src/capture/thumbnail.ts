/**
 * A tiny grey-scale copy of a captured frame for the screen watch (blank and frozen screens):
 * the frame's pixels are copied out with `VideoFrame.copyTo` (W3C WebCodecs §9.4) into one
 * reused buffer and box-averaged into `width` x `height` 8-bit luma (every source pixel counts,
 * so a few typed characters change the thumbnail). No canvas: drawing a captured `VideoFrame`
 * into a 2D canvas once a second made Chromium's renderer grow by about 300 MiB a minute
 * (measured with e2e/bench/sentinel-cost.bench.ts); this path holds one frame's bytes.
 *
 * Cost at 1920x1080 once a second: one copy of the frame (3 MB for I420/NV12, 8 MB for RGBA)
 * and one pass over its luma.
 */

/** Pixel formats {@link lumaThumbnail} reads (W3C WebCodecs `VideoPixelFormat`). */
export type ThumbnailSourceFormat = 'I420' | 'I420A' | 'I422' | 'I444' | 'NV12' | 'RGBA' | 'RGBX' | 'BGRA' | 'BGRX';

/** Where the first plane of the copied frame lies (`PlaneLayout` of `copyTo`). */
export interface FirstPlane {
  offset: number;
  stride: number;
}

/**
 * Box-averages a frame's luma into `out` (pure), full range 0..255: for planar and semi-planar
 * YUV formats the Y plane expanded from limited range (16..235, ITU-R BT.601) to full range, for
 * RGB formats BT.601 weights (integer). Black is 0 and white 255 either way.
 * Cell (x, y) of the `outWidth` x `outHeight` grid averages the source pixels whose centre
 * falls in it.
 * @param data the frame's bytes as `copyTo` wrote them
 * @param plane offset and stride of the first plane (Y, or the packed RGB plane), bytes
 * @param width source width, pixels; `height` source height, pixels
 * @throws TypeError for a format it cannot read, or sizes that do not fit `data`
 */
export function lumaThumbnail(
  data: Uint8Array,
  format: string,
  plane: FirstPlane,
  width: number,
  height: number,
  out: Uint8Array,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  const bytesPerPixel = format === 'RGBA' || format === 'RGBX' || format === 'BGRA' || format === 'BGRX' ? 4 : /^(I420A?|I422|I444|NV12)$/.test(format) ? 1 : 0;
  if (bytesPerPixel === 0) throw new TypeError(`frame format ${format} is not read by the screen watch (I420, NV12 or RGB)`);
  if (out.length < outWidth * outHeight) throw new TypeError(`out must hold ${outWidth * outHeight} bytes`);
  if (plane.offset + (height - 1) * plane.stride + width * bytesPerPixel > data.length) throw new TypeError('the frame bytes are shorter than its size and layout say');
  const sums = new Uint32Array(outWidth * outHeight);
  const counts = new Uint32Array(outWidth * outHeight);
  const bgr = format.startsWith('B');
  for (let y = 0; y < height; y++) {
    const row = Math.min(outHeight - 1, Math.floor(((y + 0.5) * outHeight) / height)) * outWidth;
    let p = plane.offset + y * plane.stride;
    for (let x = 0; x < width; x++, p += bytesPerPixel) {
      const cell = row + Math.min(outWidth - 1, Math.floor(((x + 0.5) * outWidth) / width));
      let luma: number;
      if (bytesPerPixel === 1) luma = data[p]!;
      else {
        const r = data[bgr ? p + 2 : p]!;
        const b = data[bgr ? p : p + 2]!;
        luma = (77 * r + 150 * data[p + 1]! + 29 * b) >> 8;
      }
      sums[cell]! += luma;
      counts[cell]!++;
    }
  }
  const limitedRange = bytesPerPixel === 1;
  for (let i = 0; i < outWidth * outHeight; i++) {
    const mean = counts[i]! > 0 ? sums[i]! / counts[i]! : 0;
    out[i] = limitedRange ? Math.round(Math.min(255, Math.max(0, ((mean - 16) * 255) / 219))) : Math.round(mean);
  }
  return out;
}

/** Reads luma thumbnails of frames; one buffer reused. */
export class ThumbnailReader {
  private buffer = new Uint8Array(0);
  private readonly luma: Uint8Array;

  /**
   * @param width thumbnail width, pixels (default 64)
   * @param height thumbnail height, pixels (default 36)
   */
  constructor(
    readonly width = 64,
    readonly height = 36,
  ) {
    this.luma = new Uint8Array(width * height);
  }

  /**
   * The frame's luma thumbnail (the same array every call: copy it to keep it).
   * @param frame a frame, borrowed: the caller keeps it open until this resolves
   * @throws TypeError when the frame has no pixel format this reads (e.g. a GPU-only frame)
   */
  async read(frame: VideoFrame): Promise<Uint8Array> {
    if (frame.format === null) throw new TypeError('the frame has no readable pixel format');
    const size = frame.allocationSize();
    if (this.buffer.length < size) this.buffer = new Uint8Array(size);
    const layout = await frame.copyTo(this.buffer);
    const first = layout[0];
    if (!first) throw new TypeError('the frame copied no plane');
    return lumaThumbnail(this.buffer, frame.format, first, frame.codedWidth, frame.codedHeight, this.luma, this.width, this.height);
  }
}
