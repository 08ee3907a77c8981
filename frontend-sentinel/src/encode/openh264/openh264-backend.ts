/**
 * {@link EncoderBackend} on OpenH264 compiled to WebAssembly, running in a Worker: the fallback
 * for browsers without a WebCodecs H.264 encoder (Chromium built without proprietary codecs,
 * policy-disabled WebCodecs, older browsers), and forced with `?encoder=wasm`.
 *
 * Same contract as the WebCodecs backend, so the muxer and the sender cannot tell them apart:
 * Constrained Baseline access units in AVCC, `type` key/delta, the input timestamp (µs), and
 * the avcC in `decoderConfig` with the first output and whenever SPS/PPS change. Encoder
 * settings: screen-content mode, RC_BITRATE_MODE with target and peak bitrate, the level from
 * the codec string, IDR only on request (see tools/openh264-wasm/src/vigil_openh264.cpp).
 *
 * The frame handed to `encode()` stays the caller's: a clone is transferred to the Worker,
 * which scales/converts it to I420 and closes it.
 */
import type { EncodedVideo, EncoderBackend, EncoderBackendCallbacks, EncoderName, VideoEncoderSettings } from '../encoder-backend';
import { openH264Params } from './openh264-settings';
import type { FrameInputPath, WorkerRequest, WorkerResponse } from './worker-protocol';

/** Where the page finds the Worker script, relative to the page (`/sentinel/`). */
export const OPENH264_WORKER_PATH = 'openh264/openh264-worker.js';
/** The wasm file next to it (used to probe whether the fallback is installed). */
export const OPENH264_WASM_PATH = 'openh264/openh264.wasm';

/** Per-frame figures the Worker reports (for the status panel and benchmarks). */
export interface OpenH264FrameStats {
  /** Time inside OpenH264 EncodeFrame, milliseconds. */
  encodeMs: number;
  /** Time to get the frame into the I420 picture (copy, scale, convert), milliseconds. */
  convertMs: number;
  /** How the frame got there. */
  input: FrameInputPath;
}

/** Options for {@link OpenH264WasmBackend}. */
export interface OpenH264BackendOptions {
  /** URL of `openh264-worker.js` (default: {@link OPENH264_WORKER_PATH} against `document.baseURI`). */
  workerUrl?: string | URL;
  /** Creates the Worker (tests); default `new Worker(url)` (a classic worker: it uses importScripts). */
  createWorker?: (url: string | URL) => Worker;
  /** Called with each frame's figures. */
  onFrameStats?: (stats: OpenH264FrameStats) => void;
}

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

/** OpenH264-in-a-Worker encoder; see the module comment. */
export class OpenH264WasmBackend implements EncoderBackend {
  readonly name: EncoderName = 'openh264-wasm';
  private worker: Worker | null = null;
  private closed = false;
  private configured = false;
  private inFlight = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly options: OpenH264BackendOptions;

  constructor(
    private readonly callbacks: EncoderBackendCallbacks,
    options: OpenH264BackendOptions = {},
  ) {
    this.options = options;
  }

  /**
   * True when this browser can run the fallback at all (WebAssembly, Workers, VideoFrame) and
   * the server has the build (`openh264.wasm` answers a HEAD request).
   * @param baseUrl the page's base URL (default `document.baseURI`)
   */
  static async isAvailable(baseUrl: string = document.baseURI): Promise<boolean> {
    if (typeof WebAssembly !== 'object' || typeof Worker !== 'function' || typeof VideoFrame !== 'function') return false;
    try {
      const response = await fetch(new URL(OPENH264_WASM_PATH, baseUrl), { method: 'HEAD', cache: 'no-store' });
      return response.ok;
    } catch {
      return false;
    }
  }

  get queueSize(): number {
    return this.inFlight;
  }

  async configure(settings: VideoEncoderSettings): Promise<void> {
    if (this.closed) throw new Error('the OpenH264 encoder is closed');
    const params = openH264Params(settings); // throws TypeError on settings OpenH264 cannot encode
    const worker = this.ensureWorker();
    this.configured = false;
    await this.request(worker, (id) => ({ type: 'configure', id, params }));
    if (this.closed) throw new Error('the OpenH264 encoder is closed');
    this.configured = true;
  }

  encode(frame: VideoFrame, keyFrame: boolean): void {
    if (this.closed || this.worker === null || !this.configured) throw new Error('configure() the encoder before encode()');
    const clone = frame.clone();
    this.inFlight++;
    const message: WorkerRequest = { type: 'encode', frame: clone, keyFrame };
    try {
      this.worker.postMessage(message, [clone as unknown as Transferable]);
    } catch (error) {
      this.inFlight--;
      clone.close();
      throw error;
    }
  }

  async flush(): Promise<void> {
    if (this.closed || this.worker === null) return;
    await this.request(this.worker, (id) => ({ type: 'flush', id }));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.configured = false;
    const worker = this.worker;
    this.worker = null;
    if (worker !== null) {
      try {
        worker.postMessage({ type: 'close' } satisfies WorkerRequest);
      } catch {
        // the worker is already gone
      }
      worker.terminate();
    }
    this.inFlight = 0;
    this.rejectAll(new Error('the OpenH264 encoder was closed'));
  }

  private ensureWorker(): Worker {
    if (this.worker !== null) return this.worker;
    const url = this.options.workerUrl ?? new URL(OPENH264_WORKER_PATH, document.baseURI);
    const worker = (this.options.createWorker ?? ((u) => new Worker(u)))(url);
    worker.onmessage = (event: MessageEvent<WorkerResponse>) => this.onMessage(event.data);
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.fail(new Error(`the OpenH264 worker failed: ${event.message || 'could not load ' + String(url)}`));
    };
    this.worker = worker;
    return worker;
  }

  private request(worker: Worker, make: (id: number) => WorkerRequest): Promise<void> {
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage(make(id));
    });
  }

  private onMessage(message: WorkerResponse): void {
    if (this.closed) return;
    switch (message.type) {
      case 'configured':
      case 'flushed':
        this.settle(message.id, null);
        break;
      case 'failed':
        this.settle(message.id, new Error(message.message));
        break;
      case 'chunk':
        this.inFlight = Math.max(0, this.inFlight - 1);
        this.report(message.chunk, { encodeMs: message.encodeMs, convertMs: message.convertMs, input: message.input });
        break;
      case 'dropped':
        this.inFlight = Math.max(0, this.inFlight - 1);
        break;
      case 'error':
        this.inFlight = Math.max(0, this.inFlight - 1);
        this.fail(new Error(message.message));
        break;
    }
  }

  private report(chunk: EncodedVideo, stats: OpenH264FrameStats): void {
    try {
      this.options.onFrameStats?.(stats);
    } catch (error) {
      console.error('onFrameStats listener failed', error);
    }
    this.callbacks.output(chunk);
  }

  private settle(id: number, error: Error | null): void {
    const entry = this.pending.get(id);
    if (entry === undefined) return;
    this.pending.delete(id);
    if (error === null) entry.resolve();
    else entry.reject(error);
  }

  /** The encoder is unusable: reject waiters and report once; the pipeline replaces the backend. */
  private fail(error: Error): void {
    if (this.closed) return;
    this.configured = false;
    this.rejectAll(error);
    this.callbacks.error(error);
  }

  private rejectAll(error: Error): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) entry.reject(error);
  }
}
