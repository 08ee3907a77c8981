/**
 * One OpenH264 encoder inside the WebAssembly module (see `openh264-module.ts`), with typed
 * input and output: fill the I420 input picture (directly, or from NV12 / RGBA pixels the shim
 * converts), then `encode()` returns one access unit as an {@link EncodedVideo}.
 *
 * Runs wherever the module runs: the Sentinel's encoder Worker, and Node for the tests and the
 * benchmark. No DOM. Not thread-safe (nothing in a Worker is shared).
 */
import type { EncodedVideo } from '../encoder-backend';
import { AnnexBChunker } from './annexb-chunker';
import { OpenH264FrameType, ShimError, type EncoderHandle, type OpenH264Module } from './openh264-module';
import type { OpenH264Params } from './openh264-params';
import { assertFiniteInRange, assertIntegerInRange } from '../../util/assert';

/** Layout of the encoder's I420 input picture: byte offsets from its start, strides in bytes. */
export interface I420Layout {
  /** Y, U, V planes (W3C WebCodecs `PlaneLayout`: `{offset, stride}`), tightly packed. */
  readonly planes: readonly [{ offset: number; stride: number }, { offset: number; stride: number }, { offset: number; stride: number }];
  /** Total bytes: width x height x 3 / 2. */
  readonly byteLength: number;
}

/** Byte order of 4-byte pixels for {@link OpenH264Encoder.convertRgba}. */
export type RgbaOrder = 'rgba' | 'bgra';

/** One encoded frame, plus what the encoder said about it. */
export interface EncodeResult {
  /** The access unit; null when OpenH264 skipped the frame (rate control). */
  chunk: EncodedVideo | null;
  /** Wall time spent inside OpenH264's EncodeFrame, milliseconds. */
  encodeMs: number;
}

/** Describes a negative shim / OpenH264 return code. */
export function describeOpenH264Error(code: number): string {
  const c = Math.abs(code);
  if (c === ShimError.argument) return 'invalid argument';
  if (c === ShimError.outOfMemory) return 'out of memory';
  if (c === ShimError.create) return 'WelsCreateSVCEncoder failed';
  // codec_def.h CM_RETURN
  const names: Record<number, string> = {
    1: 'cmInitParaError (invalid parameters)',
    2: 'cmUnknownReason',
    3: 'cmMallocMemeError (out of memory)',
    4: 'cmInitExpected (not initialised)',
    5: 'cmUnsupportedData',
  };
  return names[c] ?? `error ${code}`;
}

/** See the module comment. */
export class OpenH264Encoder {
  readonly width: number;
  readonly height: number;
  readonly levelIdc: number;
  private handle: EncoderHandle;
  private readonly chunker: AnnexBChunker;
  private readonly now: () => number;

  private constructor(
    private readonly module: OpenH264Module,
    handle: EncoderHandle,
    params: OpenH264Params,
    now: () => number,
  ) {
    this.handle = handle;
    this.width = params.width;
    this.height = params.height;
    this.levelIdc = params.levelIdc;
    this.chunker = new AnnexBChunker(params.width, params.height);
    this.now = now;
  }

  /**
   * Creates an encoder (`vigil_encoder_create`): Constrained Baseline, screen content,
   * RC_BITRATE_MODE with target and peak bitrate, one slice, IDR only on request.
   * @param now clock for `encodeMs` (default `performance.now`)
   * @throws Error with OpenH264's reason when it refuses the parameters
   */
  static create(module: OpenH264Module, params: OpenH264Params, now: () => number = () => performance.now()): OpenH264Encoder {
    const handle = module._vigil_encoder_create(
      params.width,
      params.height,
      params.targetBitrate,
      params.maxBitrate,
      params.framerate,
      params.levelIdc,
    );
    if (handle === 0) {
      const code = module._vigil_encoder_last_error();
      throw new Error(
        `OpenH264 refused ${params.width}x${params.height} level ${params.levelIdc / 10} at ${params.targetBitrate} bit/s ` +
          `(peak ${params.maxBitrate}), ${params.framerate} fps: ${describeOpenH264Error(code)}`,
      );
    }
    return new OpenH264Encoder(module, handle, params, now);
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this.handle === 0;
  }

  /** Where to write an I420 picture of this encoder's size (e.g. `VideoFrame.copyTo(view, {layout})`). */
  get i420Layout(): I420Layout {
    const w = this.width;
    const h = this.height;
    const c = (w / 2) * (h / 2);
    return {
      planes: [
        { offset: 0, stride: w },
        { offset: w * h, stride: w / 2 },
        { offset: w * h + c, stride: w / 2 },
      ],
      byteLength: w * h + 2 * c,
    };
  }

  /**
   * The input picture inside wasm memory, `i420Layout.byteLength` bytes. The view is valid
   * until the next call into the module (memory may grow): write it, then encode.
   */
  pictureView(): Uint8Array {
    const ptr = this.module._vigil_encoder_picture(this.live());
    return this.module.HEAPU8.subarray(ptr, ptr + this.i420Layout.byteLength);
  }

  /**
   * A scratch buffer of `bytes` bytes inside wasm memory for input that needs converting
   * (NV12, RGBA). Valid until the next call into the module.
   * @throws Error when the module is out of memory
   */
  scratchView(bytes: number): Uint8Array {
    assertIntegerInRange('bytes', bytes, 1, 1 << 30);
    const ptr = this.module._vigil_encoder_scratch(this.live(), bytes);
    if (ptr === 0) throw new Error(`OpenH264: cannot allocate ${bytes} bytes of wasm memory`);
    return this.module.HEAPU8.subarray(ptr, ptr + bytes);
  }

  /**
   * Converts the NV12 picture in the scratch buffer (Y at `yOffset`, interleaved U/V at
   * `uvOffset`; strides in bytes) into the input picture.
   */
  convertNv12(yOffset: number, yStride: number, uvOffset: number, uvStride: number): void {
    const base = this.scratchBase();
    this.check(this.module._vigil_encoder_nv12_to_i420(this.live(), base + yOffset, yStride, base + uvOffset, uvStride), 'NV12 conversion');
  }

  /**
   * Converts the 4-byte pixels in the scratch buffer (first pixel at `offset`, `stride` bytes per
   * row) into the input picture: ITU-R BT.601 limited range, chroma averaged per 2x2 block.
   */
  convertRgba(offset: number, stride: number, order: RgbaOrder): void {
    const base = this.scratchBase();
    this.check(this.module._vigil_encoder_rgba_to_i420(this.live(), base + offset, stride, order === 'bgra' ? 1 : 0), 'RGBA conversion');
  }

  /**
   * Downscales a larger 4:2:0 picture in the scratch buffer into the input picture, averaging
   * the source area under each output sample (keeps text legible). `planes` are byte offsets
   * into the scratch buffer and strides in bytes; chroma planes are ceil(width/2) x
   * ceil(height/2). `layout` 'I420': Y, U, V planes; 'NV12': Y and interleaved U/V (one plane
   * for both, `planes[1]`).
   * @param width source width in pixels (>= this encoder's width)
   * @param height source height in pixels (>= this encoder's height)
   */
  scaleFromScratch(
    layout: 'I420' | 'NV12',
    planes: readonly { offset: number; stride: number }[],
    width: number,
    height: number,
  ): void {
    const base = this.scratchBase();
    const [y, u] = planes;
    const nv12 = layout === 'NV12';
    const v = nv12 ? { offset: u.offset + 1, stride: u.stride } : planes[2];
    if (!nv12 && v.stride !== u.stride) throw new TypeError('the U and V planes must have the same stride');
    this.check(
      this.module._vigil_encoder_scale_to_picture(
        this.live(),
        base + y.offset,
        y.stride,
        base + u.offset,
        base + v.offset,
        u.stride,
        nv12 ? 2 : 1,
        width,
        height,
      ),
      `scaling ${width}x${height} to ${this.width}x${this.height}`,
    );
  }

  /**
   * Encodes the input picture.
   * @param timestamp the frame's timestamp, microseconds (returned on the chunk; OpenH264 gets ms)
   * @param keyFrame true to force an IDR (OpenH264 ForceIntraFrame)
   * @throws Error when OpenH264 fails (the encoder should then be replaced)
   */
  encode(timestamp: number, keyFrame: boolean): EncodeResult {
    assertFiniteInRange('timestamp', timestamp, 0, Number.MAX_SAFE_INTEGER);
    const handle = this.live();
    const started = this.now();
    const size = this.module._vigil_encoder_encode(handle, timestamp / 1000, keyFrame ? 1 : 0);
    const encodeMs = this.now() - started;
    this.check(size, 'EncodeFrame');
    if (size === 0 || this.module._vigil_encoder_frame_type(handle) === OpenH264FrameType.skip) return { chunk: null, encodeMs };
    const ptr = this.module._vigil_encoder_output(handle);
    const annexB = this.module.HEAPU8.subarray(ptr, ptr + size);
    const chunk = this.chunker.convert(annexB, timestamp);
    if (keyFrame && chunk.type !== 'key') throw new Error('OpenH264 ignored the IDR request (ForceIntraFrame)');
    return { chunk, encodeMs };
  }

  /** Makes the next frame an IDR. */
  forceKeyFrame(): void {
    this.check(this.module._vigil_encoder_force_idr(this.live()), 'ForceIntraFrame');
  }

  /** Changes target / peak bitrate (bits per second) and frame rate (fps) in place. */
  setRates(params: Pick<OpenH264Params, 'targetBitrate' | 'maxBitrate' | 'framerate'>): void {
    this.check(
      this.module._vigil_encoder_set_rate(this.live(), params.targetBitrate, params.maxBitrate, params.framerate),
      `setting ${params.targetBitrate} bit/s (peak ${params.maxBitrate}) at ${params.framerate} fps`,
    );
  }

  /** Frees the encoder. Idempotent. */
  close(): void {
    if (this.handle === 0) return;
    const handle = this.handle;
    this.handle = 0;
    this.module._vigil_encoder_destroy(handle);
  }

  private live(): EncoderHandle {
    if (this.handle === 0) throw new Error('the OpenH264 encoder is closed');
    return this.handle;
  }

  private scratchBase(): number {
    // The scratch buffer was sized by scratchView(); asking for 1 byte returns the same block.
    const ptr = this.module._vigil_encoder_scratch(this.live(), 1);
    if (ptr === 0) throw new Error('call scratchView() before converting');
    return ptr;
  }

  private check(code: number, what: string): void {
    if (code < 0) throw new Error(`OpenH264 ${what} failed: ${describeOpenH264Error(code)}`);
  }
}
