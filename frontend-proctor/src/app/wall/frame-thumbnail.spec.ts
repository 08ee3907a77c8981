import { isThumbnailFormat, thumbnailColour, ThumbnailScaler, type PlanarFrame } from './frame-thumbnail';

/** An I420 frame of `w`x`h` with luma from `y(x, row)` and constant chroma, rows padded to `pad` extra bytes. */
function i420(w: number, h: number, y: (x: number, row: number) => number, u = 128, v = 128, pad = 0, padFill = 0xee): PlanarFrame {
  const cw = (w + 1) >> 1;
  const ch = (h + 1) >> 1;
  const yStride = w + pad;
  const cStride = cw + pad;
  const data = new Uint8Array(yStride * h + 2 * cStride * ch).fill(padFill); // padding holds garbage
  for (let r = 0; r < h; r++) for (let x = 0; x < w; x++) data[r * yStride + x] = y(x, r);
  const uOff = yStride * h;
  const vOff = uOff + cStride * ch;
  for (let r = 0; r < ch; r++) for (let x = 0; x < cw; x++) {
    data[uOff + r * cStride + x] = u;
    data[vOff + r * cStride + x] = v;
  }
  return { format: 'I420', width: w, height: h, data, planes: [{ offset: 0, stride: yStride }, { offset: uOff, stride: cStride }, { offset: vOff, stride: cStride }] };
}

/** The same picture as NV12 (U and V interleaved in one plane). */
function toNv12(f: PlanarFrame): PlanarFrame {
  const cw = (f.width + 1) >> 1;
  const ch = (f.height + 1) >> 1;
  const [yp, up, vp] = f.planes;
  const data = new Uint8Array(f.width * f.height + cw * 2 * ch);
  for (let r = 0; r < f.height; r++) data.set(f.data.subarray(yp!.offset + r * yp!.stride, yp!.offset + r * yp!.stride + f.width), r * f.width);
  const uvOff = f.width * f.height;
  for (let r = 0; r < ch; r++) for (let x = 0; x < cw; x++) {
    data[uvOff + r * cw * 2 + 2 * x] = f.data[up!.offset + r * up!.stride + x]!;
    data[uvOff + r * cw * 2 + 2 * x + 1] = f.data[vp!.offset + r * vp!.stride + x]!;
  }
  return { format: 'NV12', width: f.width, height: f.height, data, planes: [{ offset: 0, stride: f.width }, { offset: uvOff, stride: cw * 2 }] };
}

const out = (width: number, height: number) => ({ width, height, data: new Uint8ClampedArray(width * height * 4) });
const pixel = (o: { data: Uint8ClampedArray; width: number }, x: number, y: number) => [...o.data.subarray((y * o.width + x) * 4, (y * o.width + x) * 4 + 4)];
const limited709 = { matrix: 'bt709', fullRange: false } as const;

describe('ThumbnailScaler', () => {
  it('maps limited-range white and black to 255 and 0 (BT.709 Y 235 / 16)', () => {
    const o = out(2, 1);
    new ThumbnailScaler().scale(i420(20, 10, (x) => (x < 10 ? 16 : 235)), limited709, o);
    expect(pixel(o, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(pixel(o, 1, 0)).toEqual([255, 255, 255, 255]);
  });

  it('reads full range as it is', () => {
    const o = out(1, 1);
    new ThumbnailScaler().scale(i420(10, 10, () => 100), { matrix: 'bt709', fullRange: true }, o);
    expect(pixel(o, 0, 0)).toEqual([100, 100, 100, 255]);
  });

  it('converts colour with the frame matrix: limited-range red of BT.709 and of BT.601 both give red', () => {
    for (const [matrix, y, cb, cr] of [['bt709', 63, 102, 240], ['bt601', 81, 90, 240]] as const) {
      const o = out(1, 1);
      new ThumbnailScaler().scale(i420(4, 4, () => y, cb, cr), { matrix, fullRange: false }, o);
      const [r, g, b] = pixel(o, 0, 0);
      expect(r).toBeGreaterThanOrEqual(252);
      expect(g).toBeLessThanOrEqual(3);
      expect(b).toBeLessThanOrEqual(3);
    }
  });

  it('averages each tile pixel over its source block (a block half black, half white is mid grey)', () => {
    const o = out(1, 1);
    new ThumbnailScaler(2).scale(i420(4, 4, (x) => (x < 2 ? 16 : 235)), limited709, o);
    expect(pixel(o, 0, 0)[0]).toBeCloseTo(128, -1);
    // a nearest sample would pick one side
    const nearest = out(1, 1);
    new ThumbnailScaler(1).scale(i420(4, 4, (x) => (x < 2 ? 16 : 235)), limited709, nearest);
    expect([0, 255]).toContain(pixel(nearest, 0, 0)[0]);
  });

  it('scales 1920x1080 to a 384x216 tile keeping where things are (a bright square stays in its place)', () => {
    // a white square at x 960–1151, y 540–755: tile pixels 192–229 by 108–150 whole, 230 and 151 partly
    const f = i420(1920, 1080, (x, r) => (x >= 960 && x < 1152 && r >= 540 && r < 756 ? 235 : 16), 128, 128, 64);
    const o = out(384, 216);
    new ThumbnailScaler().scale(f, limited709, o);
    expect(pixel(o, 200, 120)[0]).toBe(255);
    expect(pixel(o, 191, 120)[0]).toBe(0);
    expect(pixel(o, 231, 120)[0]).toBe(0);
    expect(pixel(o, 200, 107)[0]).toBe(0);
    expect(pixel(o, 200, 152)[0]).toBe(0);
  });

  it('gives the same thumbnail from NV12 as from I420, and skips the row padding', () => {
    const f = i420(40, 20, (x, r) => 16 + ((x * 7 + r * 3) % 200), 90, 170, 8);
    const a = out(8, 4);
    const b = out(8, 4);
    new ThumbnailScaler().scale(f, limited709, a);
    new ThumbnailScaler().scale(toNv12(f), limited709, b);
    expect([...b.data]).toEqual([...a.data]);
    // other garbage in the row padding gives the same thumbnail
    const c = out(8, 4);
    new ThumbnailScaler().scale(i420(40, 20, (x, r) => 16 + ((x * 7 + r * 3) % 200), 90, 170, 8, 0x00), limited709, c);
    expect([...c.data]).toEqual([...a.data]);
  });

  it('upscales a frame smaller than the tile (one sample per pixel)', () => {
    const o = out(4, 4);
    new ThumbnailScaler().scale(i420(2, 2, (x) => (x === 0 ? 16 : 235)), limited709, o);
    expect(pixel(o, 0, 0)[0]).toBe(0);
    expect(pixel(o, 3, 3)[0]).toBe(255);
  });

  it('refuses planes that do not fit the buffer, sizes that are not positive, and a short output', () => {
    const f = i420(8, 8, () => 16);
    const scaler = new ThumbnailScaler();
    expect(() => scaler.scale({ ...f, data: f.data.subarray(0, 70) }, limited709, out(2, 2))).toThrow(RangeError);
    expect(() => scaler.scale({ ...f, planes: f.planes.slice(0, 2) }, limited709, out(2, 2))).toThrow(/I420 needs 3 planes/);
    expect(() => scaler.scale({ ...f, width: 0 }, limited709, out(2, 2))).toThrow(/positive/);
    expect(() => scaler.scale(f, limited709, { width: 2, height: 2, data: new Uint8ClampedArray(15) })).toThrow(/16 needed/);
    expect(() => new ThumbnailScaler(0)).toThrow(RangeError);
  });
});

describe('thumbnailColour and isThumbnailFormat', () => {
  it('reads the colour space, BT.709 limited range when unknown', () => {
    expect(thumbnailColour({ matrix: 'smpte170m', fullRange: false })).toEqual({ matrix: 'bt601', fullRange: false });
    expect(thumbnailColour({ matrix: 'bt470bg', fullRange: true })).toEqual({ matrix: 'bt601', fullRange: true });
    expect(thumbnailColour({ matrix: 'bt709' })).toEqual({ matrix: 'bt709', fullRange: false });
    expect(thumbnailColour(null)).toEqual({ matrix: 'bt709', fullRange: false });
  });

  it('knows the planar formats it reads', () => {
    expect(isThumbnailFormat('I420')).toBe(true);
    expect(isThumbnailFormat('NV12')).toBe(true);
    expect(isThumbnailFormat('RGBA')).toBe(false);
    expect(isThumbnailFormat(null)).toBe(false);
  });
});
