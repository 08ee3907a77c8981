/**
 * A tiny grey-scale copy of a frame (browser I/O): the frame drawn scaled down into a
 * `width` x `height` OffscreenCanvas (the GPU or Skia does the scaling), read back and turned
 * into 8-bit luma (ITU-R BT.601 weights, integer). 64x36 = 2304 pixels: a 1080p frame costs one
 * scaled draw and a 9 KB read-back (once a second).
 */

/** Reads luma thumbnails of frames; one canvas reused. */
export class ThumbnailReader {
  private readonly ctx: OffscreenCanvasRenderingContext2D;
  private readonly luma: Uint8Array;

  /**
   * @param width thumbnail width, pixels (default 64)
   * @param height thumbnail height, pixels (default 36)
   * @throws Error when this browser has no OffscreenCanvas 2D context
   */
  constructor(
    readonly width = 64,
    readonly height = 36,
  ) {
    if (typeof OffscreenCanvas !== 'function') throw new Error('OffscreenCanvas is not available: blank and frozen screens are not detected');
    const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true, alpha: false });
    if (ctx === null) throw new Error('no 2D context on an OffscreenCanvas: blank and frozen screens are not detected');
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'low';
    this.ctx = ctx;
    this.luma = new Uint8Array(width * height);
  }

  /**
   * The frame's luma thumbnail (the same array every call: copy it to keep it).
   * @param frame a frame, borrowed (not closed here)
   */
  read(frame: CanvasImageSource): Uint8Array {
    this.ctx.drawImage(frame, 0, 0, this.width, this.height);
    const rgba = this.ctx.getImageData(0, 0, this.width, this.height).data;
    for (let i = 0, p = 0; i < this.luma.length; i++, p += 4) {
      this.luma[i] = (77 * rgba[p]! + 150 * rgba[p + 1]! + 29 * rgba[p + 2]!) >> 8;
    }
    return this.luma;
  }
}
