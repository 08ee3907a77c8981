/**
 * Browser test and benchmark harness for the Sentinel's two encoder backends (bundled on the
 * fly by the Chromium test `e2e/sentinel-wasm/openh264-worker.e2e.ts` and by the benchmark
 * `frontend-sentinel/bench/openh264.bench.ts`; never part of the page).
 *
 * `window.vigilEncoderHarness.run(options)` encodes synthetic screen content (testing/
 * screen-content.ts) through the real {@link WebCodecsBackend} or {@link OpenH264WasmBackend}
 * with the settings the Sentinel would use, one frame at a time (submit, wait for the output),
 * and returns every chunk plus timings.
 */
import type { EncodedVideo, EncoderBackend, EncoderBackendCallbacks } from '../../encoder-backend';
import { encoderSettingsFor } from '../../encoder-settings';
import { WebCodecsBackend } from '../../webcodecs-backend';
import { OpenH264WasmBackend, type OpenH264FrameStats } from '../openh264-backend';
import { drawScreenRgba, rgbaToI420 } from './screen-content';

/** Pixel layout of the synthetic input frames. */
export type HarnessInput = 'I420' | 'NV12' | 'RGBA' | 'BGRA';

/** What to encode. */
export interface HarnessOptions {
  encoder: 'webcodecs' | 'openh264-wasm';
  /** Source frame size, pixels; the encoded size is `fitWithin` of it (1920x1080 at most). */
  width: number;
  height: number;
  /** Frame rate for the settings (fps). */
  fps: number;
  /** Frames to encode. */
  frames: number;
  /** Frame indexes to encode as IDR (frame 0 is always one). */
  keyFrames: number[];
  /** Page switch every N frames (0: never). */
  sceneEvery: number;
  /** Input pixel format. */
  input: HarnessInput;
  /** Return the encoded bytes (base64); off for benchmarks. */
  keepData: boolean;
}

/** One output. */
export interface HarnessChunk {
  type: 'key' | 'delta';
  timestamp: number;
  byteLength: number;
  /** The access unit (AVCC), base64, when `keepData`. */
  data?: string;
  /** The avcC, base64, on chunks that carry a decoderConfig (when `keepData`). */
  avcC?: string;
  /** Submit -> output, ms. */
  ms: number;
  /** OpenH264 only: time inside EncodeFrame and for the input conversion, ms, and the input path. */
  stats?: OpenH264FrameStats;
}

/** The result of a run. */
export interface HarnessResult {
  codec: string;
  encodedWidth: number;
  encodedHeight: number;
  bitrate: number;
  chunks: HarnessChunk[];
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function makeFrame(rgba: Uint8Array, width: number, height: number, input: HarnessInput, timestamp: number): VideoFrame {
  if (input === 'RGBA' || input === 'BGRA') {
    let data = rgba;
    if (input === 'BGRA') {
      data = rgba.slice();
      for (let i = 0; i < data.length; i += 4) {
        data[i] = rgba[i + 2];
        data[i + 2] = rgba[i];
      }
    }
    return new VideoFrame(data, { format: input, codedWidth: width, codedHeight: height, timestamp });
  }
  const i420 = rgbaToI420(rgba, width, height);
  if (input === 'I420') return new VideoFrame(i420, { format: 'I420', codedWidth: width, codedHeight: height, timestamp });
  const nv12 = new Uint8Array(i420.length);
  const luma = width * height;
  const chroma = luma / 4;
  nv12.set(i420.subarray(0, luma));
  for (let i = 0; i < chroma; i++) {
    nv12[luma + 2 * i] = i420[luma + i];
    nv12[luma + 2 * i + 1] = i420[luma + chroma + i];
  }
  return new VideoFrame(nv12, { format: 'NV12', codedWidth: width, codedHeight: height, timestamp });
}

async function run(options: HarnessOptions): Promise<HarnessResult> {
  const settings = encoderSettingsFor({ width: options.width, height: options.height }, options.fps);
  let resolveOutput: ((chunk: EncodedVideo) => void) | null = null;
  let failure: Error | null = null;
  let lastStats: OpenH264FrameStats | undefined;
  const callbacks: EncoderBackendCallbacks = {
    output: (chunk) => resolveOutput?.(chunk),
    error: (error) => {
      failure = error;
    },
  };
  const backend: EncoderBackend =
    options.encoder === 'webcodecs'
      ? new WebCodecsBackend(callbacks)
      : new OpenH264WasmBackend(callbacks, {
          workerUrl: new URL('/openh264/openh264-worker.js', location.href),
          onFrameStats: (stats) => {
            lastStats = stats;
          },
        });
  const chunks: HarnessChunk[] = [];
  try {
    await backend.configure(settings);
    const rgba = new Uint8Array(options.width * options.height * 4);
    for (let i = 0; i < options.frames; i++) {
      drawScreenRgba(i, { width: options.width, height: options.height, sceneEvery: options.sceneEvery }, rgba);
      const timestamp = Math.round((i * 1e6) / options.fps);
      const frame = makeFrame(rgba, options.width, options.height, options.input, timestamp);
      const output = new Promise<EncodedVideo>((resolve) => {
        resolveOutput = resolve;
      });
      const started = performance.now();
      backend.encode(frame, i === 0 || options.keyFrames.includes(i));
      frame.close();
      const chunk = await Promise.race([
        output,
        new Promise<never>((_, reject) => setTimeout(() => reject(failure ?? new Error(`no output for frame ${i} within 10 s`)), 10_000)),
      ]);
      const ms = performance.now() - started;
      if (failure) throw failure;
      chunks.push({
        type: chunk.type,
        timestamp: chunk.timestamp,
        byteLength: chunk.data.byteLength,
        ms,
        ...(options.keepData ? { data: toBase64(chunk.data) } : {}),
        ...(options.keepData && chunk.decoderConfig ? { avcC: toBase64(chunk.decoderConfig.avcC) } : {}),
        ...(lastStats ? { stats: lastStats } : {}),
      });
      lastStats = undefined;
    }
    await backend.flush();
  } finally {
    backend.close();
  }
  return { codec: settings.codec, encodedWidth: settings.width, encodedHeight: settings.height, bitrate: settings.bitrate, chunks };
}

declare global {
  interface Window {
    vigilEncoderHarness: { run(options: HarnessOptions): Promise<HarnessResult>; ready: true };
  }
}

window.vigilEncoderHarness = { run, ready: true };
