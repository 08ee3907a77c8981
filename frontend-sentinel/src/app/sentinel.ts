/**
 * The Sentinel pipeline:
 *
 *     ScreenCapture (latest frame) --FrameClock tick--> KeyframePolicy --> EncoderBackend
 *        --> FragmentMuxer (init segment + fragments) --> OutboundQueue --> SentinelSender (WebSocket)
 *
 * Server control (`keyframe`, `set-fps`, stream reset) comes back from the sender and is applied
 * here. Every piece except capture, encoder backend and socket is pure and unit-tested.
 */
import { FPS_DEFAULT, type KeyframeReason as ServerKeyframeReason } from '@vigil/protocol';
import { ScreenCapture, type CaptureState } from '../capture/screen-capture';
import type { EncodedVideo, EncoderBackend, EncoderBackendCallbacks, EncoderName, VideoEncoderSettings } from '../encode/encoder-backend';
import { encoderSettingsFor, sameSettings } from '../encode/encoder-settings';
import { browserEncoderProbes, selectEncoder } from '../encode/encoder-selection';
import { OpenH264WasmBackend } from '../encode/openh264/openh264-backend';
import { WebCodecsBackend } from '../encode/webcodecs-backend';
import { FragmentMuxer } from '../mux/fragment-muxer';
import { OutboundQueue } from '../sender/outbound-queue';
import { SentinelSender, type ConnectionState, type HelloFields, type SocketFactory } from '../sender/sentinel-sender';
import { FrameClock, type FrameTick, type Scheduler } from '../timing/frame-clock';
import { workerScheduler } from '../timing/worker-scheduler';
import { KeyframePolicy } from '../timing/keyframe-policy';
import { msToTicks, ticksToUs } from '../timing/media-time';
import { RollingAverage } from '../util/rolling-average';
import type { SentinelConfig } from './config';
import { overallState, type SentinelPhase, type SentinelStatus } from './status';

/** Frames allowed inside the encoder before a tick is skipped (realtime: never build a backlog). */
const MAX_ENCODER_QUEUE = 2;

/** Options for {@link Sentinel}; all optional except the config. */
export interface SentinelOptions {
  /** Page configuration. */
  config: SentinelConfig;
  /** Called whenever the status may have changed (the panel re-renders). */
  onChange?: () => void;
  /** Clock and timers (default: worker-driven timers, not throttled behind other windows). */
  scheduler?: Scheduler;
  /** Socket factory (default: `new WebSocket`). */
  createSocket?: SocketFactory;
  /** Encoder factory (default: the one `selectEncoder` picks: WebCodecs, else the OpenH264 wasm fallback). */
  createBackend?: (callbacks: EncoderBackendCallbacks) => EncoderBackend;
  /** Outbound queue bound, bytes (default 256 MiB). */
  queueMaxBytes?: number;
  /** Longest gap between keyframes, ms (20000..30000; default from the config). */
  maxKeyframeIntervalMs?: number;
}

interface PendingFrame {
  /** The pipeline asked for an IDR. */
  keyFrame: boolean;
  mediaTime: number;
  duration: number;
  captureTimeMs: number;
  submittedAtMs: number;
  generation: number;
}

/** Runs capture, encoding and upload for one seat; see the module comment. */
export class Sentinel {
  private readonly config: SentinelConfig;
  private readonly scheduler: Scheduler;
  private readonly onChange: () => void;
  private createBackend: ((callbacks: EncoderBackendCallbacks) => EncoderBackend) | null;
  /** The encoder `start()` chose (reported in hello and status). */
  private encoderName: EncoderName = 'webcodecs';
  /** hello fields; `start()` fills in the chosen encoder before the first connect. */
  private readonly hello: HelloFields;
  private readonly capture: ScreenCapture;
  private readonly clock: FrameClock;
  private readonly policy: KeyframePolicy;
  private readonly muxer = new FragmentMuxer();
  private readonly queue: OutboundQueue;
  private readonly sender: SentinelSender;
  private backend: EncoderBackend | null = null;
  private settings: VideoEncoderSettings | null = null;
  private configuring = false;
  private readonly pending = new Map<number, PendingFrame>();
  private generation = 0;
  private phase: SentinelPhase = 'starting';
  private connection: ConnectionState = 'idle';
  private captureState: CaptureState = 'idle';
  private lastError: string | null = null;
  private endedMessage: string | null = null;
  private sourceWidth = 0;
  private sourceHeight = 0;
  private ticks = 0;
  private ticksSkipped = 0;
  private framesEncoded = 0;
  private keyframes = 0;
  private encoderKeyframes = 0;
  private readonly encodeMs = new RollingAverage(50);
  private readonly frameBytes = new RollingAverage(50);
  private queueFullReported = false;
  private stopped = false;

  constructor(options: SentinelOptions) {
    this.config = options.config;
    this.scheduler = options.scheduler ?? workerScheduler();
    this.onChange = options.onChange ?? (() => undefined);
    this.createBackend = options.createBackend ?? null;
    this.queue = new OutboundQueue(options.queueMaxBytes === undefined ? {} : { maxBytes: options.queueMaxBytes });
    this.policy = new KeyframePolicy({ maxIntervalMs: options.maxKeyframeIntervalMs ?? this.config.maxKeyframeIntervalMs });
    this.capture = new ScreenCapture({
      events: {
        state: (state) => {
          this.captureState = state;
          this.changed();
        },
        ended: (message) => this.onCaptureEnded(message),
        error: (message) => this.setError(message),
      },
    });
    this.clock = new FrameClock({
      scheduler: this.scheduler,
      fps: FPS_DEFAULT,
      onTick: (tick) => void this.onTick(tick),
      onError: (error) => this.setError(`frame clock: ${errorText(error)}`),
    });
    this.hello = {
      token: this.config.token,
      examId: this.config.examId,
      seatId: this.config.seatId,
      encoder: 'webcodecs',
      userAgent: navigator.userAgent.slice(0, 512),
      capabilities: { encoders: ['webcodecs'] },
    };
    this.sender = new SentinelSender({
      url: this.config.wsUrl,
      hello: this.hello,
      queue: this.queue,
      scheduler: this.scheduler,
      ...(options.createSocket ? { createSocket: options.createSocket } : {}),
      status: () => ({
        fps: this.clock.fps,
        width: this.settings?.width ?? 0,
        height: this.settings?.height ?? 0,
        encoder: this.encoderName,
        keyframes: this.keyframes,
      }),
      events: {
        state: (state) => {
          this.connection = state;
          if (state === 'failed') this.halt('error');
          if (state === 'ended') this.halt('ended');
          this.changed();
        },
        welcome: (welcome) => {
          if (welcome.fps !== this.clock.fps) this.clock.setFps(welcome.fps);
          this.changed();
        },
        streamReset: () => this.onStreamReset(),
        keyframe: (reason) => this.onKeyframeRequest(reason),
        setFps: (fps) => {
          this.clock.setFps(fps);
          this.changed();
        },
        ended: (_reason, message) => {
          this.endedMessage = message;
          console.info(`[vigil-sentinel] the server ended this stream: ${message}`);
        },
        ack: () => this.changed(),
        error: (message) => this.setError(message),
      },
    });
  }

  /** A read-only snapshot of the current status. */
  status(): SentinelStatus {
    const init = this.muxer.currentInit;
    return Object.freeze({
      state: overallState(this.phase, this.connection),
      phase: this.phase,
      connection: this.connection,
      capture: this.captureState,
      examId: this.config.examId,
      seatId: this.config.seatId,
      streamId: this.sender.streamId,
      fps: this.clock.fps,
      sourceWidth: this.sourceWidth,
      sourceHeight: this.sourceHeight,
      width: this.settings?.width ?? 0,
      height: this.settings?.height ?? 0,
      codec: init?.codec ?? null,
      requestedCodec: this.settings?.codec ?? null,
      encoder: this.backend?.name ?? this.encoderName,
      targetBitrate: this.settings?.bitrate ?? 0,
      ticks: this.ticks,
      ticksSkipped: this.ticksSkipped,
      framesEncoded: this.framesEncoded,
      keyframes: this.keyframes,
      encoderKeyframes: this.encoderKeyframes,
      encodeMsAvg: round1(this.encodeMs.mean),
      encodeMsLast: round1(this.encodeMs.latest),
      encodeMsMedian: round1(this.encodeMs.median),
      bytesPerFrameAvg: Math.round(this.frameBytes.mean),
      bytesSent: this.sender.bytesSent,
      queueDepth: this.queue.depth,
      queueBytes: this.queue.bytes,
      lastAckedSequence: this.queue.lastAcked,
      highestSequence: this.queue.highestSequence,
      reconnects: this.sender.reconnects,
      lastError: this.lastError,
      endedMessage: this.endedMessage,
    });
  }

  /**
   * Checks the encoder, connects, and starts capturing. Resolves once capture runs; rejects
   * (and shows why) when the encoder is unusable. A refused or gesture-less capture leaves the
   * phase at `waiting-for-share`: call `shareScreen()` from a click.
   */
  async start(): Promise<void> {
    const selection = await selectEncoder(this.config.encoder, browserEncoderProbes());
    if (this.halted()) return;
    if (selection.encoder === null) {
      this.fatal(selection.reason);
      return;
    }
    if (selection.encoder !== 'webcodecs') console.info(`[vigil-sentinel] ${selection.reason}`);
    this.encoderName = selection.encoder;
    this.hello.encoder = selection.encoder;
    this.hello.capabilities = { encoders: [...selection.available] };
    this.createBackend ??=
      selection.encoder === 'openh264-wasm'
        ? (callbacks) => new OpenH264WasmBackend(callbacks)
        : (callbacks) => new WebCodecsBackend(callbacks);
    this.sender.start();
    await this.shareScreen();
  }

  /** Starts (or restarts) screen capture; call from a user gesture if `start()` could not. */
  async shareScreen(): Promise<void> {
    if (this.halted()) return;
    try {
      await this.capture.start();
    } catch (error) {
      if (!this.halted()) this.phase = 'waiting-for-share';
      this.setError(`Screen sharing did not start: ${errorText(error)}`);
      return;
    }
    if (this.halted()) {
      this.capture.stop(); // halted while the share dialog was open
      return;
    }
    this.phase = 'running';
    if (!this.clock.running) {
      this.clock.start();
    } else {
      // Content discontinuity: begin the new capture with an IDR.
      if (this.policy.request('restart', this.nowMediaTime())) this.clock.tickNow();
    }
    this.changed();
  }

  /** Stops everything. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clock.stop();
    this.capture.stop();
    this.backend?.close();
    this.backend = null;
    this.sender.stop();
    this.phase = 'stopped';
    this.changed();
  }

  private async onTick(tick: FrameTick): Promise<void> {
    this.ticks++;
    if (this.stopped) return;
    const frame = this.capture.latest;
    if (frame === null || this.configuring) return this.skip();
    if (this.queue.overLimit) {
      if (!this.queueFullReported) {
        this.queueFullReported = true;
        this.setError(
          `Upload queue full (${Math.round(this.queue.bytes / 1048576)} MiB unacknowledged): recording paused until the server catches up.`,
        );
      }
      return this.skip();
    }
    this.queueFullReported = false;
    this.sourceWidth = frame.displayWidth;
    this.sourceHeight = frame.displayHeight;
    let settings: VideoEncoderSettings;
    try {
      settings = encoderSettingsFor({ width: frame.displayWidth, height: frame.displayHeight }, tick.fps);
    } catch (error) {
      this.setError(`cannot encode a ${frame.displayWidth}x${frame.displayHeight} frame: ${errorText(error)}`);
      return this.skip();
    }
    if (this.backend === null || !sameSettings(settings, this.settings)) {
      this.configuring = true;
      try {
        await this.configure(settings);
      } catch (error) {
        this.setError(`encoder configuration failed: ${errorText(error)}`);
        return this.skip();
      } finally {
        this.configuring = false;
      }
    }
    const backend = this.backend;
    const latest = this.capture.latest; // re-read: configure() awaited
    if (backend === null || latest === null || this.stopped) return this.skip();
    if (backend.queueSize >= MAX_ENCODER_QUEUE) return this.skip();

    const ctx = { mediaTime: tick.mediaTime, duration: tick.duration, fps: tick.fps, width: settings.width, height: settings.height };
    const keyFrame = this.policy.decide(ctx) !== null;
    const timestamp = ticksToUs(tick.mediaTime);
    const copy = new VideoFrame(latest, { timestamp });
    try {
      backend.encode(copy, keyFrame);
    } catch (error) {
      this.setError(`encode failed: ${errorText(error)}`);
      return this.skip();
    } finally {
      copy.close();
    }
    this.policy.noteSubmitted(ctx, keyFrame);
    this.pending.set(timestamp, {
      keyFrame,
      mediaTime: tick.mediaTime,
      duration: tick.duration,
      captureTimeMs: performance.timeOrigin + tick.clockTimeMs,
      submittedAtMs: this.scheduler.now(),
      generation: this.generation,
    });
  }

  private async configure(settings: VideoEncoderSettings): Promise<void> {
    if (this.backend === null) {
      const create = this.createBackend ?? ((callbacks: EncoderBackendCallbacks) => new WebCodecsBackend(callbacks));
      const backend: EncoderBackend = create({
        output: (chunk) => this.onEncoded(chunk),
        error: (error) => this.onEncoderError(error, backend),
      });
      this.backend = backend;
    }
    await this.backend.configure(settings);
    this.settings = settings;
    this.changed();
  }

  private onEncoded(chunk: EncodedVideo): void {
    const meta = this.pending.get(chunk.timestamp);
    // Forget this entry and any older one the encoder dropped (realtime mode may drop frames).
    for (const key of this.pending.keys()) {
      if (key <= chunk.timestamp) this.pending.delete(key);
    }
    if (meta === undefined || meta.generation !== this.generation || this.stopped) return;
    this.encodeMs.add(this.scheduler.now() - meta.submittedAtMs);
    this.frameBytes.add(chunk.data.byteLength);
    this.framesEncoded++;
    if (chunk.type === 'key') {
      this.keyframes++;
      if (!meta.keyFrame) this.encoderKeyframes++;
      this.policy.noteKeyframeOutput(meta.mediaTime);
    }
    let result;
    try {
      result = this.muxer.mux(chunk, meta, this.queue.nextSequence);
    } catch (error) {
      this.setError(`muxing failed: ${errorText(error)}`);
      this.policy.request('restart', this.nowMediaTime());
      return;
    }
    if (result.dropped !== undefined) {
      this.policy.request('restart', this.nowMediaTime());
    }
    for (const message of result.messages) this.queue.push(message);
    this.sender.pump();
    this.changed();
  }

  private onEncoderError(error: Error, backend: EncoderBackend): void {
    if (backend !== this.backend) return; // an encoder we already replaced
    this.setError(`encoder error: ${error.message}; restarting the encoder`);
    this.dropEncoder();
    this.policy.request('restart', this.nowMediaTime());
  }

  /** Closes the encoder and forgets frames inside it; the next tick configures a new one. */
  private dropEncoder(): void {
    this.backend?.close();
    this.backend = null;
    this.settings = null;
    this.generation++;
    this.pending.clear();
  }

  private onKeyframeRequest(_reason: ServerKeyframeReason): void {
    if (!this.clock.running) return; // the first frame is a keyframe anyway
    if (this.policy.request('request', this.nowMediaTime())) this.clock.tickNow();
  }

  private onStreamReset(): void {
    // The server opened a new stream: new timeline, new init segment, keyframe first. A fresh
    // encoder too, so nothing encoded for the old stream can come out into the new one.
    this.dropEncoder();
    this.muxer.reset();
    this.policy.reset();
    if (this.clock.running) this.clock.start();
    this.changed();
  }

  /**
   * Nothing can be uploaded any more: the server refused this seat for good or our hello is
   * invalid (`error`, the error stays on screen), or the server ended the stream with `stop`
   * (`ended`, its message on screen). Stops capturing (the screen is released) and encoding;
   * the sender does not reconnect in either case.
   */
  private halt(phase: 'error' | 'ended'): void {
    this.phase = phase;
    this.clock.stop();
    this.capture.stop();
    this.dropEncoder();
  }

  /** True once stopped, ended by the server, or halted by a fatal error (re-read after every await). */
  private halted(): boolean {
    return this.stopped || this.phase === 'error' || this.phase === 'ended';
  }

  private onCaptureEnded(message: string): void {
    this.phase = 'waiting-for-share';
    this.setError(message);
  }

  private nowMediaTime(): number {
    return Math.max(0, msToTicks(this.scheduler.now() - this.clock.startTimeMs));
  }

  private skip(): void {
    this.ticksSkipped++;
    this.changed();
  }

  private fatal(message: string): void {
    this.phase = 'error';
    this.setError(message);
  }

  private setError(message: string): void {
    this.lastError = message;
    console.warn(`[vigil-sentinel] ${message}`);
    this.changed();
  }

  private changed(): void {
    try {
      this.onChange();
    } catch (error) {
      console.error('status listener failed', error);
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
