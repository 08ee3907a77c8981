/**
 * The Emscripten module built by `tools/openh264-wasm/build.sh` (`openh264.js` + `openh264.wasm`):
 * OpenH264 2.3.1 (Cisco, BSD-2-Clause) plus Vigil's shim `tools/openh264-wasm/src/vigil_openh264.cpp`.
 * These are the shim's C functions as Emscripten exports them (`_` + C name); pointers are byte
 * offsets into `HEAPU8`.
 */

/** An opaque `VigilEncoder*` (0 is NULL). */
export type EncoderHandle = number;

/** OpenH264 `EVideoFrameType` values (codec_def.h). */
export const OpenH264FrameType = Object.freeze({ invalid: 0, idr: 1, i: 2, p: 3, skip: 4, ipMixed: 5 } as const);

/** Shim error codes (negated in return values); other negative values are OpenH264 CM_RETURN codes. */
export const ShimError = Object.freeze({ argument: 1001, outOfMemory: 1002, create: 1003 } as const);

/** The instantiated module. */
export interface OpenH264Module {
  /**
   * The whole wasm memory. Emscripten replaces this view when memory grows
   * (ALLOW_MEMORY_GROWTH), so read `module.HEAPU8` again after every call into the module.
   */
  readonly HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  /** Returns a handle, or 0 on failure (then `_vigil_encoder_last_error()` says why). */
  _vigil_encoder_create(width: number, height: number, targetBps: number, maxBps: number, fps: number, levelIdc: number): EncoderHandle;
  _vigil_encoder_last_error(): number;
  /** Start of the encoder's I420 input picture (Y w*h, U (w/2)*(h/2), V (w/2)*(h/2), packed). */
  _vigil_encoder_picture(handle: EncoderHandle): number;
  /** A buffer of at least `bytes` bytes for input to convert; 0 when out of memory. */
  _vigil_encoder_scratch(handle: EncoderHandle, bytes: number): number;
  _vigil_encoder_nv12_to_i420(handle: EncoderHandle, y: number, yStride: number, uv: number, uvStride: number): number;
  _vigil_encoder_rgba_to_i420(handle: EncoderHandle, rgba: number, stride: number, bgrOrder: number): number;
  /** Area-average downscale of a larger I420 (uvStep 1) or NV12 (v = u + 1, uvStep 2) picture into the input picture. */
  _vigil_encoder_scale_to_picture(
    handle: EncoderHandle,
    y: number,
    yStride: number,
    u: number,
    v: number,
    uvStride: number,
    uvStep: number,
    width: number,
    height: number,
  ): number;
  /** Annex B byte length of the access unit, 0 for a skipped frame, < 0 on error. */
  _vigil_encoder_encode(handle: EncoderHandle, timestampMs: number, forceIdr: number): number;
  _vigil_encoder_output(handle: EncoderHandle): number;
  /** `EVideoFrameType` of the last access unit ({@link OpenH264FrameType}). */
  _vigil_encoder_frame_type(handle: EncoderHandle): number;
  _vigil_encoder_force_idr(handle: EncoderHandle): number;
  _vigil_encoder_set_rate(handle: EncoderHandle, targetBps: number, maxBps: number, fps: number): number;
  _vigil_encoder_destroy(handle: EncoderHandle): void;
}

/** Options the Emscripten factory accepts (the ones Vigil uses). */
export interface OpenH264ModuleOverrides {
  /** Maps `openh264.wasm` to its URL (browser) or path (Node). */
  locateFile?: (path: string, scriptDirectory: string) => string;
  /** The wasm bytes, to skip fetching (Node). */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** stdout / stderr lines of the C code (OpenH264 logs errors to stderr). */
  print?: (line: string) => void;
  printErr?: (line: string) => void;
}

/** `createOpenH264(overrides)`: the MODULARIZE factory in `openh264.js`. */
export type OpenH264Factory = (overrides?: OpenH264ModuleOverrides) => Promise<OpenH264Module>;
