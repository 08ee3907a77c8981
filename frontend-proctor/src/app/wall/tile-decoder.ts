/**
 * Decodes one stream for a wall tile with WebCodecs (W3C WebCodecs `VideoDecoder`) into a
 * canvas, from the events of the media pipeline (`subscribeToStream`). A wall shows up to
 * 200 streams, and a browser caps the number of media players (Chrome about 75), so tiles do
 * not use MSE: each tile decodes H.264 access units itself and paints every decoded frame,
 * scaled to the tile, at once (no playout buffer: a tile is as live as its fragments).
 *
 * Input: an init segment (its `avcC` is the decoder's `description`, ISO/IEC 14496-15 §5.3.3)
 * then fragments of one sample each (the sample is the end of the `mdat`). A new init segment
 * (resolution change) reconfigures the decoder. Backpressure: {@link tileGateStep}.
 */
import type { MediaEvent } from '../player/media-pipeline';
import { INITIAL_TILE_GATE, tileGateStep, type TileGateState } from './tile-gate';

/** What a tile shows about its decoding (for the tile's title and for tests). */
export interface TileDecoderStats {
  /** Frames painted. */
  readonly painted: number;
  /** Fragments not decoded (before the first join fragment, or dropped to catch up). */
  readonly dropped: number;
  /** Capture time (`prft`) of the frame on the tile, Unix epoch ms, or null. */
  readonly capturedAtMs: number | null;
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
  private error: string | null = null;
  /** Capture times of queued frames by timestamp (µs), to label the frame when it is painted. */
  private readonly captureTimes = new Map<number, number | null>();

  /**
   * @param canvas the tile's canvas; its size is the tile's, frames are scaled into it
   * @param onPaint called after each painted frame (e.g. to refresh the tile's label)
   */
  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onPaint: (stats: TileDecoderStats) => void = () => undefined,
  ) {}

  /** Whether this browser can decode at all (`VideoDecoder` exists). */
  static isAvailable(): boolean {
    return typeof VideoDecoder === 'function';
  }

  /** The decoding figures so far. */
  get stats(): TileDecoderStats {
    return { painted: this.painted, dropped: this.gate.dropped, capturedAtMs: this.capturedAtMs, error: this.error };
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

  private paint(frame: VideoFrame): void {
    try {
      const ctx = this.canvas.getContext('2d');
      if (ctx) ctx.drawImage(frame, 0, 0, this.canvas.width, this.canvas.height);
      this.painted++;
      this.capturedAtMs = this.captureTimes.get(frame.timestamp) ?? null;
      this.captureTimes.delete(frame.timestamp);
      if (this.captureTimes.size > 64) this.captureTimes.clear();
    } finally {
      frame.close();
    }
    this.onPaint(this.stats);
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
