/**
 * Synthetic "screen content" for tests and benchmarks: a white page with rows of dark text-like
 * glyph runs, a coloured window that moves, and a line of text that changes every frame; every
 * `sceneEvery` frames the whole screen switches to another page (a window switch). Deterministic
 * for a given frame index. RGBA, 4 bytes per pixel, no padding.
 */

/** Options of {@link drawScreenRgba}. */
export interface ScreenContentOptions {
  /** Pixels. */
  width: number;
  /** Pixels. */
  height: number;
  /** Frames between full-screen page switches (0: never). */
  sceneEvery?: number;
}

/** Draws frame `index` into `out` (width x height x 4 bytes, RGBA); returns `out`. */
export function drawScreenRgba(index: number, options: ScreenContentOptions, out?: Uint8Array): Uint8Array {
  const { width: w, height: h } = options;
  const rgba = out ?? new Uint8Array(w * h * 4);
  const page = options.sceneEvery ? Math.floor(index / options.sceneEvery) : 0;
  const background = page % 2 === 0 ? [250, 250, 250] : [30, 34, 48];
  const ink = page % 2 === 0 ? [24, 24, 24] : [220, 220, 210];
  fill(rgba, w, 0, 0, w, h, background);
  // title bar
  fill(rgba, w, 0, 0, w, 32, page % 2 === 0 ? [40, 90, 200] : [160, 60, 40]);
  // text rows: glyph runs whose pattern depends on the page and row
  const rowHeight = 22;
  for (let row = 0, y = 48; y + 14 < h; row++, y += rowHeight) {
    let x = 40;
    const seed = row * 7919 + page * 104729 + (row === 5 ? index * 31 : 0); // row 5 changes every frame
    let s = seed;
    while (x < w - 60) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const word = 3 + (s % 9);
      for (let c = 0; c < word && x < w - 60; c++, x += 9) {
        s = (s * 1103515245 + 12345) & 0x7fffffff;
        const glyph = s % 5;
        fill(rgba, w, x, y + (glyph === 0 ? 0 : 3), 6, glyph === 0 ? 14 : 11, ink);
        if (glyph > 2) fill(rgba, w, x + 2, y + 5, 2, 5, background);
      }
      x += 9;
    }
  }
  // a window that moves by 12 pixels per frame
  const winW = Math.min(360, w >> 2);
  const winH = Math.min(240, h >> 2);
  const wx = 100 + ((index * 12) % Math.max(1, w - winW - 200));
  const wy = Math.min(h - winH - 1, 200);
  fill(rgba, w, wx, wy, winW, winH, [200, 60, 60]);
  fill(rgba, w, wx + 10, wy + 30, winW - 20, winH - 40, [255, 255, 255]);
  return rgba;
}

/**
 * Converts RGBA to packed I420 with BT.601 limited range, the same formula as the shim's
 * `vigil_encoder_rgba_to_i420` (tools/openh264-wasm/src/vigil_openh264.cpp).
 */
export function rgbaToI420(rgba: Uint8Array, width: number, height: number, out?: Uint8Array): Uint8Array {
  const cw = width >> 1;
  const ch = height >> 1;
  const i420 = out ?? new Uint8Array(width * height + 2 * cw * ch);
  const uBase = width * height;
  const vBase = uBase + cw * ch;
  for (let y = 0; y < height; y += 2) {
    for (let x = 0; x < width; x += 2) {
      let rs = 0;
      let gs = 0;
      let bs = 0;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const o = ((y + dy) * width + x + dx) * 4;
          const r = rgba[o];
          const g = rgba[o + 1];
          const b = rgba[o + 2];
          i420[(y + dy) * width + x + dx] = ((66 * r + 129 * g + 25 * b + 128) >> 8) + 16;
          rs += r;
          gs += g;
          bs += b;
        }
      }
      const c = (y >> 1) * cw + (x >> 1);
      i420[uBase + c] = ((-38 * rs - 74 * gs + 112 * bs + 512) >> 10) + 128;
      i420[vBase + c] = ((112 * rs - 94 * gs - 18 * bs + 512) >> 10) + 128;
    }
  }
  return i420;
}

function fill(rgba: Uint8Array, stride: number, x0: number, y0: number, w: number, h: number, rgb: number[]): void {
  const [r, g, b] = rgb;
  for (let y = y0; y < y0 + h; y++) {
    let o = (y * stride + x0) * 4;
    for (let x = 0; x < w; x++, o += 4) {
      rgba[o] = r;
      rgba[o + 1] = g;
      rgba[o + 2] = b;
      rgba[o + 3] = 255;
    }
  }
}

/**
 * Area-average downscale of one 8-bit plane (sw x sh, packed) to dw x dh: each output sample
 * is the mean of the source area under it, edge samples weighted by their coverage. The
 * reference for the shim's `vigil_encoder_scale_to_picture` (same filter, float arithmetic).
 */
export function downscalePlane(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array {
  const taps = (s: number, d: number) =>
    Array.from({ length: d }, (_, i) => {
      const lo = (i * s) / d;
      const hi = ((i + 1) * s) / d;
      const list: [number, number][] = [];
      for (let k = Math.floor(lo); k < Math.ceil(hi); k++) list.push([k, (Math.min(k + 1, hi) - Math.max(k, lo)) / (hi - lo)]);
      return list;
    });
  const tx = taps(sw, dw);
  const ty = taps(sh, dh);
  const out = new Uint8Array(dw * dh);
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      let sum = 0;
      for (const [sy, wy] of ty[y]) for (const [sx, wx] of tx[x]) sum += wy * wx * src[sy * sw + sx];
      out[y * dw + x] = Math.round(sum);
    }
  }
  return out;
}
