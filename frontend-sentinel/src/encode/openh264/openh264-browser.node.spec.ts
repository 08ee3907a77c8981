/**
 * The OpenH264 fallback in real Chromium (Debian's /usr/bin/chromium, headless): the Sentinel's
 * OpenH264WasmBackend runs its Worker with the wasm build, fed VideoFrames in every input path
 * (I420 copied as is, NV12, RGBA, BGRA converted by the shim, and a 2560x1440 frame scaled on
 * an OffscreenCanvas). The chunks come back to Node, are packed into fMP4 with @vigil/fmp4, and
 * ffprobe decodes them.
 *
 * Builds the Sentinel first (node frontend-sentinel/build.mjs). Fails (does not skip) when the
 * wasm build is missing: run `bash tools/openh264-wasm/build.sh`.
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAvcC } from '@vigil/fmp4';
import type { EncodedVideo } from '../encoder-backend';
import type { HarnessOptions, HarnessResult } from './testing/encoder-harness';
import { startHarnessServer, type HarnessServer } from './testing/harness-server.node';
import { openH264Paths, repositoryRoot } from './testing/load-openh264.node';
import { decodeI420, ffprobe, lumaPsnr, toMp4 } from './testing/probe.node';
import { downscalePlane, drawScreenRgba, rgbaToI420 } from './testing/screen-content';

jest.setTimeout(180_000);

let server: HarnessServer;
let browser: Browser;
let page: Page;
let work: string;
const consoleLines: string[] = [];

beforeAll(async () => {
  openH264Paths().requireBuilt(); // a clear error when the wasm is not built
  execFileSync(process.execPath, ['frontend-sentinel/build.mjs'], { cwd: repositoryRoot(), stdio: 'pipe' });
  server = await startHarnessServer();
  browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
  });
  page = await browser.newPage();
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  await page.goto(server.url);
  await page.waitForFunction(() => window.vigilEncoderHarness?.ready === true);
  work = mkdtempSync(path.join(tmpdir(), 'vigil-openh264-browser-'));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function run(options: Partial<HarnessOptions>): Promise<HarnessResult> {
  const full: HarnessOptions = {
    encoder: 'openh264-wasm',
    width: 1280,
    height: 720,
    fps: 5,
    frames: 12,
    keyFrames: [5],
    sceneEvery: 0,
    input: 'I420',
    keepData: true,
    ...options,
  };
  try {
    return await page.evaluate((o) => window.vigilEncoderHarness.run(o), full);
  } catch (error) {
    throw new Error(`${String(error)}\nbrowser console:\n${consoleLines.join('\n')}`);
  }
}

function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

function chunksOf(result: HarnessResult): EncodedVideo[] {
  return result.chunks.map((c) => ({
    type: c.type,
    timestamp: c.timestamp,
    data: fromBase64(c.data ?? ''),
    ...(c.avcC ? { decoderConfig: { avcC: fromBase64(c.avcC), width: result.encodedWidth, height: result.encodedHeight } } : {}),
  }));
}

describe.each([
  { input: 'I420', path: 'i420' },
  { input: 'NV12', path: 'nv12' },
  { input: 'RGBA', path: 'rgba' },
  { input: 'BGRA', path: 'bgra' },
] as const)('$input VideoFrames at the encoded size', ({ input, path: inputPath }) => {
  let result: HarnessResult;
  beforeAll(async () => {
    result = await run({ input });
  });

  test(`take the ${inputPath} path and come out as one chunk per frame, IDR exactly at 0 and 5`, () => {
    expect(result.chunks).toHaveLength(12);
    expect(result.chunks.every((c) => c.stats?.input === inputPath)).toBe(true);
    expect(result.chunks.flatMap((c, i) => (c.type === 'key' ? [i] : []))).toEqual([0, 5]);
    expect(result.chunks.map((c) => c.timestamp)).toEqual(Array.from({ length: 12 }, (_, i) => i * 200_000));
    expect(result.chunks.filter((c) => c.avcC !== undefined).map((_, i) => i)).toEqual([0]);
    expect(parseAvcC(fromBase64(result.chunks[0].avcC!))).toMatchObject({ profile: 66, constraintFlags: 0xc0, level: 31 });
  });

  test('decode with ffprobe as Constrained Baseline 3.1, and look like the input', () => {
    const file = path.join(work, `${input}.mp4`);
    writeFileSync(file, toMp4(chunksOf(result), 5));
    const probe = ffprobe(file);
    expect(probe).toMatchObject({ profile: 'Constrained Baseline', level: 31, width: 1280, height: 720 });
    expect(probe.frames.flatMap((f, i) => (f.keyFrame ? [i] : []))).toEqual([0, 5]);
    const source = rgbaToI420(drawScreenRgba(11, { width: 1280, height: 720, sceneEvery: 0 }), 1280, 720);
    expect(lumaPsnr(decodeI420(file, 11, 1280, 720), source, 1280, 720)).toBeGreaterThan(28);
  });
});

describe.each([
  { input: 'I420', path: 'i420-scaled' },
  { input: 'NV12', path: 'nv12-scaled' },
  { input: 'RGBA', path: 'canvas' },
] as const)('a 2560x1440 $input screen', ({ input, path: inputPath }) => {
  let result: HarnessResult;
  beforeAll(async () => {
    result = await run({ input, width: 2560, height: 1440, frames: 6, keyFrames: [3], sceneEvery: 0 });
  });

  test(`is scaled to 1920x1080 (${inputPath}) and encoded at level 4.0; the picture is the source, downscaled`, () => {
    expect(result).toMatchObject({ codec: 'avc1.42E028', encodedWidth: 1920, encodedHeight: 1080 });
    expect(result.chunks.every((c) => c.stats?.input === inputPath)).toBe(true);
    expect(result.chunks.flatMap((c, i) => (c.type === 'key' ? [i] : []))).toEqual([0, 3]);
    const file = path.join(work, `scaled-${input}.mp4`);
    writeFileSync(file, toMp4(chunksOf(result), 5));
    const probe = ffprobe(file);
    expect(probe).toMatchObject({ profile: 'Constrained Baseline', level: 40, width: 1920, height: 1080 });
    expect(probe.frames).toHaveLength(6);
    const source = rgbaToI420(drawScreenRgba(5, { width: 2560, height: 1440, sceneEvery: 0 }), 2560, 1440);
    const expected = downscalePlane(source.subarray(0, 2560 * 1440), 2560, 1440, 1920, 1080);
    // the shim's area average matches the reference; the canvas filter is another one
    const minPsnr = input === 'RGBA' ? 18 : 28;
    expect(lumaPsnr(decodeI420(file, 5, 1920, 1080), expected, 1920, 1080)).toBeGreaterThan(minPsnr);
  });
});

test('bad settings are refused before the Worker starts', async () => {
  await expect(run({ width: 8, height: 8 })).rejects.toThrow('settings.width must be an integer in [16, 4096], got 8');
});
