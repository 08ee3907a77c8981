/**
 * Decodes one stream for a wall tile with WebCodecs (W3C WebCodecs `VideoDecoder`) into a
 * canvas, from the events of the media pipeline (`subscribeToStream`). A wall shows up to
 * 200 streams, and a browser caps the number of media players (Chrome about 75), so tiles do
 * not use MSE: each tile decodes H.264 access units itself and paints the newest decoded frame,
 * scaled to the tile, at once (no playout buffer: a tile is as live as its fragments).
 *
 * Decoding is cheap (500+ 1080p frames a second here) and must see every frame (P frames refer
 * to the ones before); painting is what costs, so a tile decodes every frame but paints only
 * the newest: a frame decoded while the previous one is still being painted replaces any frame
 * waiting (it is closed unpainted, counted as `superseded`). The paint method (canvas
 * `drawImage` or a scaled copy of the planes) is chosen by measured cost ({@link PaintMethodChooser}).
 *
 * Input: an init segment (its `avcC` is the decoder's `description`, ISO/IEC 14496-15 §5.3.3)
 * then fragments of one sample each (the sample is the end of the `mdat`). A new init segment
 * (resolution change) reconfigures the decoder. Backpressure: {@link tileGateStep}.
 */
import type { MediaEvent } from '../player/media-pipeline';
import { INITIAL_TILE_GATE, tileGateStep, type TileGateState } from './tile-gate';
import { isThumbnailFormat, thumbnailColour, ThumbnailScaler } from './frame-thumbnail';
import { PaintMethodChooser, type PaintMethod } from './paint-method';

/** The page's paint method chooser, shared by every tile (they paint alike). */
const sharedPaintChooser = new PaintMethodChooser();

/**
 * Buffers for frames' planes, shared by the page's tiles: a 1080p I420 frame is 3 MiB, and a
 * tile needs one only between `copyTo` and its scaling (a few at once, not one per tile).
 */
const planeBuffers: Uint8Array[] = [];
/** Most free plane buffers kept. */
const PLANE_BUFFERS_KEPT = 4;
function takePlaneBuffer(bytes: number): Uint8Array {
  const i = planeBuffers.findIndex((b) => b.byteLength >= bytes);
  return i >= 0 ? planeBuffers.splice(i, 1)[0]! : new Uint8Array(bytes);
}
function givePlaneBuffer(buffer: Uint8Array): void {
  if (planeBuffers.length < PLANE_BUFFERS_KEPT) planeBuffers.push(buffer);
}

/** What a tile shows about its decoding (for the tile's title and for tests). */
export interface TileDecoderStats {
  /** Frames painted. */
  readonly painted: number;
  /** Fragments not decoded (before the first join fragment, or dropped to catch up). */
  readonly dropped: number;
  /** Frames decoded but not painted: a newer frame was decoded before their turn came. */
  readonly superseded: number;
  /** How the page paints tiles, once its trials chose (null before). */
  readonly paintMethod: PaintMethod | null;
  /** Capture time (`prft`) of the frame on the tile, Unix epoch ms, or null. */
  readonly capturedAtMs: number | null;
  /** Duration of the frame on the tile (the stream's frame interval), ms, or null. */
  readonly frameIntervalMs: number | null;
  /** The last decoder error, or null. */
  readonly error: string | null;
}

/** Feeds a tile's canvas from segment events; see the module comment. */
export class TileDecoder {
  private decoder: VideoDecoder | null = null;
  private timescale = 90_000;
  /** The current init segment's decoder setup, to start again after a decoder error. */
  private setup: { codec: string; avcC: Uint8Array; timescale: number } | null = null;
  private gate: TileGateState = INITIAL_TILE_GATE;
  private painted = 0;
  private capturedAtMs: number | null = null;
  private frameIntervalMs: number | null = null;
  private error: string | null = null;
  /** Capture times of queued frames by timestamp (µs), to label the frame when it is painted. */
  private readonly captureTimes = new Map<number, number | null>();
  /** A paint is under way (the thumbnail path waits for `copyTo`). */
  private painting = false;
  /** The newest decoded frame waiting for the paint under way to end. */
  private waiting: VideoFrame | null = null;
  private superseded = 0;
  private readonly scaler = new ThumbnailScaler();
  private image: ImageData | null = null;

  /**
   * @param canvas the tile's canvas; its size is the tile's, frames are scaled into it
   * @param onPaint called after each painted frame (e.g. to refresh the tile's label)
   * @param paintChooser how frames are painted (default: the one the page's tiles share)
   */
  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onPaint: (stats: TileDecoderStats) => void = () => undefined,
    private readonly paintChooser: PaintMethodChooser = sharedPaintChooser,
  ) {}

  /** Whether this browser can decode at all (`VideoDecoder` exists). */
  static isAvailable(): boolean {
    return typeof VideoDecoder === 'function';
  }

  /** The decoding figures so far. */
  get stats(): TileDecoderStats {
    return { painted: this.painted, dropped: this.gate.dropped, superseded: this.superseded, paintMethod: this.paintChooser.current, capturedAtMs: this.capturedAtMs, frameIntervalMs: this.frameIntervalMs, error: this.error };
  }

  /** Feeds one event of the media pipeline. */
  handle(ev: MediaEvent): void {
    if (ev.kind === 'init') {
      this.configure(ev.info.codec, ev.info.avcC, ev.info.timescale);
    } else if (ev.kind === 'fragment') {
      if (this.decoder === null && this.setup !== null && ev.info.isSync) this.configure(this.setup.codec, this.setup.avcC, this.setup.timescale);
      const decoder = this.decoder;
      if (decoder === null || decoder.state !== 'configured') return;
      const [gate, decode] = tileGateStep(this.gate, ev.info.isSync, decoder.decodeQueueSize);
      this.gate = gate;
      if (!decode) return;
      const size = ev.info.samples.reduce((n, s) => n + s.size, 0);
      const timestamp = Math.round((ev.info.baseMediaDecodeTime / this.timescale) * 1e6);
      this.captureTimes.set(timestamp, ev.info.captureTimeMs);
      try {
        decoder.decode(
          new EncodedVideoChunk({
            type: ev.info.isSync ? 'key' : 'delta',
            timestamp,
            duration: Math.round((ev.info.duration / this.timescale) * 1e6),
            data: ev.bytes.subarray(ev.bytes.byteLength - size),
          }),
        );
      } catch (e) {
        this.fail(e);
      }
    } else if (ev.kind === 'subscribed' || ev.kind === 'unsubscribed') {
      this.gate = { ...this.gate, waitingForJoin: true };
    }
  }

  /** Stops decoding and frees the decoder. Idempotent. */
  close(): void {
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
    this.decoder = null;
    this.waiting?.close();
    this.waiting = null;
    this.captureTimes.clear();
  }

  private configure(codec: string, avcC: Uint8Array, timescale: number): void {
    this.setup = { codec, avcC, timescale };
    this.timescale = timescale;
    if (this.decoder === null || this.decoder.state === 'closed') {
      this.decoder = new VideoDecoder({ output: (frame) => this.paint(frame), error: (e) => this.fail(e) });
    }
    try {
      this.decoder.configure({ codec, description: avcC, optimizeForLatency: true, hardwareAcceleration: 'no-preference' });
      this.gate = { ...this.gate, waitingForJoin: true };
    } catch (e) {
      this.fail(e);
    }
  }

  /** A decoded frame: painted now, or after the paint under way (replacing any frame waiting). */
  private paint(frame: VideoFrame): void {
    if (this.decoder === null) {
      frame.close(); // closed meanwhile
      return;
    }
    if (this.painting) {
      if (this.waiting) this.supersede(this.waiting);
      this.waiting = frame;
      return;
    }
    this.painting = true;
    void this.paintNow(frame).finally(() => {
      this.painting = false;
      const next = this.waiting;
      this.waiting = null;
      if (next) this.paint(next);
    });
  }

  private supersede(frame: VideoFrame): void {
    this.superseded++;
    this.captureTimes.delete(frame.timestamp);
    frame.close();
  }

  private async paintNow(frame: VideoFrame): Promise<void> {
    try {
      const ctx = this.canvas.getContext('2d');
      if (!ctx) return;
      const method: PaintMethod = this.paintChooser.next(isThumbnailFormat(frame.format));
      const started = performance.now();
      let mainThreadMs: number;
      if (method === 'thumbnail') {
        // the copy is the only wait; the time it takes on another thread is not this thread's
        const buffer = takePlaneBuffer(frame.allocationSize());
        try {
          const copied = frame.copyTo(buffer);
          mainThreadMs = performance.now() - started;
          const layout = await copied;
          const scaledAt = performance.now();
          this.putThumbnail(ctx, frame, buffer, layout);
          mainThreadMs += performance.now() - scaledAt;
        } finally {
          givePlaneBuffer(buffer);
        }
      } else {
        ctx.drawImage(frame, 0, 0, this.canvas.width, this.canvas.height);
        mainThreadMs = performance.now() - started;
      }
      this.paintChooser.record(method, mainThreadMs);
      this.painted++;
      this.capturedAtMs = this.captureTimes.get(frame.timestamp) ?? null;
      this.frameIntervalMs = frame.duration !== null && frame.duration > 0 ? frame.duration / 1000 : this.frameIntervalMs;
      this.captureTimes.delete(frame.timestamp);
      if (this.captureTimes.size > 64) this.captureTimes.clear();
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      frame.close();
    }
    this.onPaint(this.stats);
  }

  /** Scales the frame's copied planes into the tile ({@link ThumbnailScaler}). */
  private putThumbnail(ctx: CanvasRenderingContext2D, frame: VideoFrame, planes: Uint8Array, layout: readonly PlaneLayout[]): void {
    const { width, height } = this.canvas;
    if (this.image === null || this.image.width !== width || this.image.height !== height) this.image = ctx.createImageData(width, height);
    const rect = frame.visibleRect;
    this.scaler.scale(
      { format: frame.format as 'I420' | 'NV12', width: rect?.width ?? frame.displayWidth, height: rect?.height ?? frame.displayHeight, data: planes, planes: layout },
      thumbnailColour(frame.colorSpace),
      this.image,
    );
    ctx.putImageData(this.image, 0, 0);
  }

  private fail(e: unknown): void {
    this.error = e instanceof Error ? e.message : String(e);
    // a closed decoder cannot be reconfigured: a new one starts at the next join fragment
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
    this.decoder = null;
    this.gate = { ...this.gate, waitingForJoin: true };
    this.onPaint(this.stats);
  }
}
