/**
 * VideoFrame -> the OpenH264 encoder's I420 input picture, inside the encoder Worker.
 *
 * WebCodecs' encoder scales frames to its configured size by itself; OpenH264 does not, so
 * this does the scaling and the colour conversion:
 *
 * - frame already at the encoded size and in a CPU format (W3C WebCodecs `VideoPixelFormat`):
 *   `I420` is copied straight into the picture with `VideoFrame.copyTo(view, {layout})` (no
 *   conversion at all); `NV12` and `RGBA`/`RGBX`/`BGRA`/`BGRX` are copied into a scratch
 *   buffer in wasm memory and converted by the shim (de-interleave, or BT.601 matrix);
 * - a larger `I420` or `NV12` frame (a screen above 1920x1080, what Chromium's capture
 *   delivers): copied as is into the scratch buffer and downscaled by the shim with an area
 *   average, which keeps text legible (~10x cheaper than the canvas below);
 * - anything else (other formats, or no CPU format, e.g. a GPU-backed frame): drawn onto an
 *   OffscreenCanvas of the encoded size (`drawImage` with high-quality smoothing), read back
 *   as RGBA, converted by the shim.
 *
 * Browser (Worker) only.
 */
import type { OpenH264Encoder, RgbaOrder } from './openh264-encoder';
import type { FrameInputPath } from './worker-protocol';

/** Reusable OffscreenCanvas for scaling, created on first use and resized on demand. */
export class FrameScaler {
  private canvas: OffscreenCanvas | null = null;
  private context: OffscreenCanvasRenderingContext2D | null = null;

  /** Draws `frame` scaled to width x height and returns its RGBA pixels. */
  draw(frame: VideoFrame, width: number, height: number): Uint8ClampedArray {
    if (typeof OffscreenCanvas !== 'function') {
      throw new Error('this browser has no OffscreenCanvas in workers: cannot scale frames for the OpenH264 encoder');
    }
    if (this.canvas === null || this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas = new OffscreenCanvas(width, height);
      this.context = this.canvas.getContext('2d', { alpha: false, willReadFrequently: true });
      if (this.context === null) throw new Error('OffscreenCanvas has no 2d context');
    }
    const ctx = this.context!;
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(frame, 0, 0, width, height);
    return ctx.getImageData(0, 0, width, height).data;
  }
}

const RGB_ORDER: Readonly<Record<string, RgbaOrder>> = { RGBA: 'rgba', RGBX: 'rgba', BGRA: 'bgra', BGRX: 'bgra' };

/**
 * Writes `frame` into `encoder`'s input picture; returns which path it took.
 * The caller keeps (and closes) the frame. Nothing else may call into the module meanwhile.
 */
export async function writeFrame(frame: VideoFrame, encoder: OpenH264Encoder, scaler: FrameScaler): Promise<FrameInputPath> {
  const w = encoder.width;
  const h = encoder.height;
  const rect = frame.visibleRect;
  const format = frame.format;
  if (rect !== null && rect.width === w && rect.height === h && format !== null) {
    if (format === 'I420') {
      await frame.copyTo(encoder.pictureView(), { layout: [...encoder.i420Layout.planes] });
      return 'i420';
    }
    if (format === 'NV12') {
      await frame.copyTo(encoder.scratchView(w * h + w * (h / 2)), {
        layout: [
          { offset: 0, stride: w },
          { offset: w * h, stride: w },
        ],
      });
      encoder.convertNv12(0, w, w * h, w);
      return 'nv12';
    }
    const order = RGB_ORDER[format];
    if (order !== undefined) {
      await frame.copyTo(encoder.scratchView(w * h * 4), { layout: [{ offset: 0, stride: w * 4 }] });
      encoder.convertRgba(0, w * 4, order);
      return order;
    }
  }
  if (rect !== null && rect.width >= w && rect.height >= h && (format === 'I420' || format === 'NV12')) {
    const sw = rect.width;
    const sh = rect.height;
    const cw = Math.ceil(sw / 2);
    const ch = Math.ceil(sh / 2);
    const planes =
      format === 'I420'
        ? [
            { offset: 0, stride: sw },
            { offset: sw * sh, stride: cw },
            { offset: sw * sh + cw * ch, stride: cw },
          ]
        : [
            { offset: 0, stride: sw },
            { offset: sw * sh, stride: 2 * cw },
          ];
    await frame.copyTo(encoder.scratchView(sw * sh + 2 * cw * ch), { layout: planes });
    encoder.scaleFromScratch(format, planes, sw, sh);
    return format === 'I420' ? 'i420-scaled' : 'nv12-scaled';
  }
  const rgba = scaler.draw(frame, w, h);
  encoder.scratchView(rgba.length).set(rgba);
  encoder.convertRgba(0, w * 4, 'rgba');
  return 'canvas';
}
