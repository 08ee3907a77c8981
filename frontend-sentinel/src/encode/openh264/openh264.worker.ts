/**
 * The OpenH264 encoder Worker (bundled by frontend-sentinel/build.mjs as a classic worker,
 * `dist/frontend-sentinel/openh264/openh264-worker.js`, next to `openh264.js` + `openh264.wasm`
 * from tools/openh264-wasm/build.sh).
 *
 * Requests are handled strictly in order (a promise chain), because frame input is
 * asynchronous (`VideoFrame.copyTo`) and the encoder is stateful: configure, then encode frames,
 * flush, close. Encoding in a Worker keeps the page responsive: a 1080p frame takes tens of
 * milliseconds of CPU. See worker-protocol.ts for the messages.
 */
import type { EncodedVideo } from '../encoder-backend';
import { FrameScaler, writeFrame } from './frame-input';
import { OpenH264Encoder } from './openh264-encoder';
import type { OpenH264Factory, OpenH264Module } from './openh264-module';
import { onlyRatesDiffer, type OpenH264Params } from './openh264-params';
import type { WorkerRequest, WorkerResponse } from './worker-protocol';

/** The parts of DedicatedWorkerGlobalScope this file uses (the project compiles with the DOM lib). */
interface WorkerScope {
  readonly location: { readonly href: string };
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerResponse, transfer?: Transferable[]): void;
  importScripts(...urls: string[]): void;
  createOpenH264?: OpenH264Factory;
}

const scope = self as unknown as WorkerScope;
const scaler = new FrameScaler();
let modulePromise: Promise<OpenH264Module> | null = null;
let encoder: OpenH264Encoder | null = null;
let params: OpenH264Params | null = null;
let broken = false;
let queue: Promise<void> = Promise.resolve();

function post(message: WorkerResponse, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Loads openh264.js (same folder as this worker) and instantiates the wasm, once. */
function loadModule(): Promise<OpenH264Module> {
  if (modulePromise === null) {
    modulePromise = (async () => {
      const base = scope.location.href;
      try {
        scope.importScripts(new URL('openh264.js', base).href);
      } catch (error) {
        throw new Error(
          `cannot load ${new URL('openh264.js', base).href} (${errorText(error)}): the OpenH264 WebAssembly build is not ` +
            'installed on this server; run `bash tools/openh264-wasm/build.sh` and rebuild the Sentinel',
        );
      }
      const factory = scope.createOpenH264;
      if (typeof factory !== 'function') throw new Error('openh264.js did not define createOpenH264()');
      return factory({
        locateFile: (path) => new URL(path, base).href,
        printErr: (line) => console.warn(`[openh264] ${line}`),
      });
    })();
    modulePromise.catch(() => {
      modulePromise = null; // let a later configure retry
    });
  }
  return modulePromise;
}

async function configure(id: number, request: Extract<WorkerRequest, { type: 'configure' }>): Promise<void> {
  try {
    const next = request.params;
    const module = await loadModule();
    if (encoder !== null && !broken && params !== null && onlyRatesDiffer(params, next)) {
      encoder.setRates(next);
    } else {
      encoder?.close();
      encoder = null;
      encoder = OpenH264Encoder.create(module, next);
      broken = false;
    }
    params = next;
    post({ type: 'configured', id });
  } catch (error) {
    post({ type: 'failed', id, message: errorText(error) });
  }
}

async function encode(frame: VideoFrame, keyFrame: boolean): Promise<void> {
  const timestamp = frame.timestamp;
  try {
    if (encoder === null || broken) throw new Error('configure the OpenH264 encoder before encoding');
    const started = performance.now();
    const input = await writeFrame(frame, encoder, scaler);
    const convertMs = performance.now() - started;
    frame.close();
    const { chunk, encodeMs } = encoder.encode(timestamp, keyFrame);
    if (chunk === null) {
      post({ type: 'dropped', timestamp });
      return;
    }
    post({ type: 'chunk', chunk, encodeMs, convertMs, input }, transferList(chunk));
  } catch (error) {
    broken = true;
    post({ type: 'error', message: `OpenH264 encode failed: ${errorText(error)}` });
  } finally {
    frame.close();
  }
}

function transferList(chunk: EncodedVideo): Transferable[] {
  const list: Transferable[] = [chunk.data.buffer as ArrayBuffer];
  if (chunk.decoderConfig !== undefined) list.push(chunk.decoderConfig.avcC.buffer as ArrayBuffer);
  return list;
}

function handle(request: WorkerRequest): Promise<void> {
  switch (request.type) {
    case 'configure':
      return configure(request.id, request);
    case 'encode':
      return encode(request.frame, request.keyFrame);
    case 'flush':
      post({ type: 'flushed', id: request.id });
      return Promise.resolve();
    case 'close':
      encoder?.close();
      encoder = null;
      params = null;
      return Promise.resolve();
  }
}

scope.onmessage = (event) => {
  const request = event.data;
  queue = queue.then(() => handle(request)).catch((error: unknown) => post({ type: 'error', message: errorText(error) }));
};
