/**
 * The OpenH264 WebAssembly module built by `tools/openh264-wasm/build.sh`, in Node: synthetic
 * screen content at 1280x720 and 1920x1080 goes through the same OpenH264Encoder the Sentinel's
 * Worker uses, is packed into fMP4 with @vigil/fmp4, and ffprobe (on PATH) decodes it.
 *
 * Fails (does not skip) when the module is not built: run `bash tools/openh264-wasm/build.sh`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAvcC, splitAvcc, nalUnitType } from '@vigil/fmp4';
import type { EncodedVideo } from '../encoder-backend';
import { encoderSettingsFor } from '../encoder-settings';
import { OpenH264Encoder } from './openh264-encoder';
import type { OpenH264Module } from './openh264-module';
import { openH264Params } from './openh264-settings';
import { downscalePlane, drawScreenRgba, rgbaToI420 } from './testing/screen-content';
import { loadOpenH264 } from './testing/load-openh264.node';
import { decodeI420, ffprobe, lumaPsnr, toMp4 } from './testing/probe.node';

jest.setTimeout(120_000);

let wasm: OpenH264Module;
let work: string;

beforeAll(async () => {
  ({ module: wasm } = await loadOpenH264());
  work = mkdtempSync(path.join(tmpdir(), 'vigil-openh264-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Encodes `count` frames of screen content; IDRs at `keyAt`; a full page switch every `sceneEvery` frames. */
function encodeClip(width: number, height: number, fps: number, count: number, keyAt: number[], sceneEvery: number): EncodedVideo[] {
  const settings = encoderSettingsFor({ width, height }, fps);
  const encoder = OpenH264Encoder.create(wasm, openH264Params(settings));
  const rgba = new Uint8Array(width * height * 4);
  const chunks: EncodedVideo[] = [];
  try {
    for (let i = 0; i < count; i++) {
      drawScreenRgba(i, { width, height, sceneEvery }, rgba);
      encoder.scratchView(rgba.length).set(rgba);
      encoder.convertRgba(0, width * 4, 'rgba');
      const timestamp = Math.round((i * 1e6) / fps);
      const { chunk } = encoder.encode(timestamp, keyAt.includes(i));
      expect(chunk).not.toBeNull();
      chunks.push(chunk!);
    }
  } finally {
    encoder.close();
  }
  return chunks;
}

describe.each([
  { width: 1280, height: 720, levelIdc: 31, ffprobeLevel: 31 },
  { width: 1920, height: 1080, levelIdc: 40, ffprobeLevel: 40 },
])('OpenH264 wasm at $width x $height', ({ width, height, levelIdc, ffprobeLevel }) => {
  const fps = 5;
  const count = 24;
  const keyAt = [0, 7, 16];
  let chunks: EncodedVideo[];

  beforeAll(() => {
    // a text page with a changing line and a moving window, no full-screen change
    chunks = encodeClip(width, height, fps, count, keyAt, 0);
  });

  test('one access unit per frame, key exactly where requested, timestamps kept', () => {
    expect(chunks).toHaveLength(count);
    expect(chunks.flatMap((c, i) => (c.type === 'key' ? [i] : []))).toEqual(keyAt);
    expect(chunks.map((c) => c.timestamp)).toEqual(Array.from({ length: count }, (_, i) => i * 200_000));
  });

  test('AVCC samples hold slices only (SPS/PPS travel in the avcC); one slice per picture', () => {
    for (const chunk of chunks) {
      const types = splitAvcc(chunk.data).map(nalUnitType);
      expect(types).toEqual([chunk.type === 'key' ? 5 : 1]);
    }
  });

  test('decoderConfig comes once, with a Constrained Baseline avcC at the requested level', () => {
    const configs = chunks.filter((c) => c.decoderConfig !== undefined);
    expect(configs).toHaveLength(1);
    expect(chunks[0].decoderConfig).toMatchObject({ width, height });
    const avcC = parseAvcC(chunks[0].decoderConfig!.avcC);
    expect(avcC.profile).toBe(66);
    expect(avcC.constraintFlags).toBe(0xc0); // constraint_set0 + constraint_set1, as Chromium writes
    expect(avcC.level).toBe(levelIdc);
    expect(avcC.nalLengthSize).toBe(4);
  });

  test('ffprobe decodes the fMP4: Constrained Baseline, level, size, every frame, IDRs where requested', () => {
    const file = path.join(work, `clip-${width}x${height}.mp4`);
    writeFileSync(file, toMp4(chunks, fps));
    const probe = ffprobe(file);
    expect(probe.profile).toBe('Constrained Baseline');
    expect(probe.level).toBe(ffprobeLevel);
    expect([probe.width, probe.height]).toEqual([width, height]);
    expect(probe.frames).toHaveLength(count);
    expect(probe.frames.flatMap((f, i) => (f.keyFrame ? [i] : []))).toEqual(keyAt);
    expect(probe.frames.flatMap((f, i) => (f.pictType === 'I' ? [i] : []))).toEqual(keyAt);
    probe.frames.forEach((f, i) => expect(f.ptsTime).toBeCloseTo(i / fps, 5));
  });

  test('the decoded pictures match the input (PSNR of the luma of the last frame)', () => {
    const file = path.join(work, `clip-${width}x${height}.mp4`);
    const decoded = decodeI420(file, count - 1, width, height);
    const source = rgbaToI420(drawScreenRgba(count - 1, { width, height, sceneEvery: 0 }), width, height);
    expect(lumaPsnr(decoded, source, width, height)).toBeGreaterThan(28); // readable text; ~37 dB measured
  });

  test('a full-screen change (window switch) becomes an IDR of its own: OpenH264 scene detection, marked key', () => {
    // page switches at frames 6 and 12; IDRs requested at 0 only
    const clip = encodeClip(width, height, fps, 14, [0], 6);
    const keys = clip.flatMap((c, i) => (c.type === 'key' ? [i] : []));
    expect(keys).toEqual([0, 6, 12]);
    const file = path.join(work, `switch-${width}x${height}.mp4`);
    writeFileSync(file, toMp4(clip, fps));
    const probe = ffprobe(file);
    expect(probe.frames).toHaveLength(14);
    expect(probe.frames.flatMap((f, i) => (f.keyFrame ? [i] : []))).toEqual(keys);
  });
});

describe('OpenH264Encoder input conversions and control', () => {
  const width = 64;
  const height = 32;
  const params = openH264Params({ codec: 'avc1.42E01F', width, height, bitrate: 200_000, framerate: 1 });

  test('RGBA and BGRA become BT.601 limited-range I420 (white 235, black 16, red Y82 U90 V240)', () => {
    const encoder = OpenH264Encoder.create(wasm, params);
    try {
      const rgba = new Uint8Array(width * height * 4);
      for (let i = 0; i < width * height; i++) {
        const x = i % width;
        const rgb = x < 16 ? [255, 255, 255] : x < 32 ? [0, 0, 0] : [255, 0, 0];
        rgba.set([...rgb, 255], i * 4);
      }
      encoder.scratchView(rgba.length).set(rgba);
      encoder.convertRgba(0, width * 4, 'rgba');
      const pic = encoder.pictureView().slice();
      const { planes } = encoder.i420Layout;
      expect([pic[0], pic[16], pic[40]]).toEqual([235, 16, 82]);
      expect([pic[planes[1].offset + 20], pic[planes[2].offset + 20]]).toEqual([90, 240]);
      expect(pic).toEqual(rgbaToI420(rgba, width, height));

      const bgra = rgba.slice();
      for (let i = 0; i < bgra.length; i += 4) [bgra[i], bgra[i + 2]] = [bgra[i + 2], bgra[i]];
      encoder.scratchView(bgra.length).set(bgra);
      encoder.convertRgba(0, width * 4, 'bgra');
      expect(encoder.pictureView().slice()).toEqual(pic);
    } finally {
      encoder.close();
    }
  });

  test('NV12 with padded strides is de-interleaved into I420', () => {
    const encoder = OpenH264Encoder.create(wasm, params);
    try {
      const yStride = width + 16;
      const uvStride = width + 32;
      const uvOffset = yStride * height + 8;
      const nv12 = encoder.scratchView(uvOffset + uvStride * (height / 2));
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) nv12[y * yStride + x] = (x + y) & 0xff;
      for (let y = 0; y < height / 2; y++) {
        for (let x = 0; x < width / 2; x++) {
          nv12[uvOffset + y * uvStride + 2 * x] = 100 + x;
          nv12[uvOffset + y * uvStride + 2 * x + 1] = 200 - y;
        }
      }
      encoder.convertNv12(0, yStride, uvOffset, uvStride);
      const pic = encoder.pictureView();
      const { planes } = encoder.i420Layout;
      expect(pic[5 * width + 7]).toBe(12);
      expect(pic[planes[1].offset + 3 * (width / 2) + 4]).toBe(104);
      expect(pic[planes[2].offset + 3 * (width / 2) + 4]).toBe(197);
    } finally {
      encoder.close();
    }
  });

  test.each(['I420', 'NV12'] as const)('a larger %s picture is downscaled by area average (2560x1440 -> 1920x1080)', (layout) => {
    const [sw, sh, dw, dh] = [2560, 1440, 1920, 1080];
    const encoder = OpenH264Encoder.create(wasm, openH264Params(encoderSettingsFor({ width: sw, height: sh }, 5)));
    try {
      expect([encoder.width, encoder.height]).toEqual([dw, dh]);
      const i420 = rgbaToI420(drawScreenRgba(3, { width: sw, height: sh }), sw, sh);
      const luma = sw * sh;
      const chroma = luma / 4;
      const planes =
        layout === 'I420'
          ? [
              { offset: 0, stride: sw },
              { offset: luma, stride: sw / 2 },
              { offset: luma + chroma, stride: sw / 2 },
            ]
          : [
              { offset: 0, stride: sw },
              { offset: luma, stride: sw },
            ];
      const scratch = encoder.scratchView(luma + 2 * chroma);
      if (layout === 'I420') {
        scratch.set(i420);
      } else {
        scratch.set(i420.subarray(0, luma));
        for (let i = 0; i < chroma; i++) {
          scratch[luma + 2 * i] = i420[luma + i];
          scratch[luma + 2 * i + 1] = i420[luma + chroma + i];
        }
      }
      encoder.scaleFromScratch(layout, planes, sw, sh);
      const pic = encoder.pictureView().slice();
      const { planes: out } = encoder.i420Layout;
      const expectedY = downscalePlane(i420.subarray(0, luma), sw, sh, dw, dh);
      const expectedV = downscalePlane(i420.subarray(luma + chroma), sw / 2, sh / 2, dw / 2, dh / 2);
      const maxDiff = (a: Uint8Array, b: Uint8Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
      expect(maxDiff(pic.subarray(0, dw * dh), expectedY)).toBeLessThanOrEqual(1); // rounding only
      expect(maxDiff(pic.subarray(out[2].offset), expectedV)).toBeLessThanOrEqual(1);
      encoder.encode(0, true); // and it encodes
    } finally {
      encoder.close();
    }
  });

  test('scaling refuses a source smaller than the encoder', () => {
    const encoder = OpenH264Encoder.create(wasm, params);
    try {
      encoder.scratchView(32 * 16 * 2);
      expect(() => encoder.scaleFromScratch('NV12', [{ offset: 0, stride: 32 }, { offset: 512, stride: 32 }], 32, 16)).toThrow(
        'scaling 32x16 to 64x32 failed: invalid argument',
      );
    } finally {
      encoder.close();
    }
  });

  test('rates change in place; IDR on request after that; close is idempotent and final', () => {
    const encoder = OpenH264Encoder.create(wasm, params);
    encoder.pictureView().fill(128);
    expect(encoder.encode(0, false).chunk?.type).toBe('key'); // the first frame is always an IDR
    expect(encoder.encode(1_000_000, false).chunk?.type).toBe('delta');
    encoder.setRates({ targetBitrate: 400_000, maxBitrate: 800_000, framerate: 0.2 });
    encoder.setRates({ targetBitrate: 100_000, maxBitrate: 150_000, framerate: 5 });
    expect(encoder.encode(2_000_000, false).chunk?.type).toBe('delta');
    encoder.forceKeyFrame();
    expect(encoder.encode(3_000_000, false).chunk).toMatchObject({ type: 'key' });
    expect(encoder.encode(4_000_000, true).chunk).toMatchObject({ type: 'key', timestamp: 4_000_000 });
    encoder.close();
    encoder.close();
    expect(encoder.closed).toBe(true);
    expect(() => encoder.encode(5_000_000, false)).toThrow('closed');
  });

  test('OpenH264 refusals become errors that name the parameters', () => {
    expect(() => OpenH264Encoder.create(wasm, { ...params, maxBitrate: params.targetBitrate })).toThrow(
      /OpenH264 refused 64x32 level 3.1 at 200000 bit\/s \(peak 200000\), 1 fps: invalid argument/,
    );
  });

  test('frame rates below OpenH264\'s 1 fps minimum are accepted (0.2 fps)', () => {
    const encoder = OpenH264Encoder.create(wasm, { ...params, framerate: 0.2 });
    try {
      encoder.pictureView().fill(128);
      expect(encoder.encode(0, false).chunk?.type).toBe('key');
      expect(encoder.encode(5_000_000, false).chunk?.type).toBe('delta');
    } finally {
      encoder.close();
    }
  });
});
