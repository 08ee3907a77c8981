/**
 * Messages between {@link OpenH264WasmBackend} (page) and the encoder Worker
 * (`openh264.worker.ts`). Requests carry an `id` when the page waits for the answer.
 * VideoFrames and encoded bytes are transferred, never copied.
 */
import type { EncodedVideo } from '../encoder-backend';
import type { OpenH264Params } from './openh264-params';

/** Page -> Worker. */
export type WorkerRequest =
  /**
   * (Re)configure (params from `openH264Params(settings)`, computed by the page); the Worker loads
   * the wasm module on the first one. Answer: configured / failed.
   */
  | { type: 'configure'; id: number; params: OpenH264Params }
  /** Encode this frame (transferred; the Worker closes it). Answer: chunk / dropped / error. */
  | { type: 'encode'; frame: VideoFrame; keyFrame: boolean }
  /** Answer `flushed` once every earlier request is done. */
  | { type: 'flush'; id: number }
  /** Free the encoder; the page terminates the Worker afterwards. */
  | { type: 'close' };

/** How a frame reached the encoder's I420 picture (for status and benchmarks). */
export type FrameInputPath = 'i420' | 'nv12' | 'rgba' | 'bgra' | 'i420-scaled' | 'nv12-scaled' | 'canvas';

/** Worker -> page. */
export type WorkerResponse =
  | { type: 'configured'; id: number }
  | { type: 'failed'; id: number; message: string }
  /** One access unit; `data` (and `decoderConfig.avcC`) are transferred. */
  | { type: 'chunk'; chunk: EncodedVideo; encodeMs: number; convertMs: number; input: FrameInputPath }
  /** The frame with this timestamp (µs) produced no access unit (skipped by rate control). */
  | { type: 'dropped'; timestamp: number }
  | { type: 'flushed'; id: number }
  /** Encoding failed; the encoder is unusable (the page replaces it). */
  | { type: 'error'; message: string };
