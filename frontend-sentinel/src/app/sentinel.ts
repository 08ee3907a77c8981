/**
 * The Sentinel pipeline:
 *
 *     ScreenCapture (latest frame) --FrameClock tick--> KeyframePolicy --> EncoderBackend
 *        --> FragmentMuxer (init segment + fragments) --> OutboundQueue --> SentinelSender (WebSocket)
 *
 * Latency (issue 10): while the screen keeps changing, a scheduled tick waits for the next
 * captured frame (at most {@link MAX_FRAME_WAIT_MS}, `freshFrameWaitMs`) and samples it as
 * soon as it arrives instead of the latest one, up to a capture interval (100 ms) old; each
 * encoded chunk is muxed and sent at once. A sample's `prft` capture time is its frame's own
 * (`VideoFrame.timestamp`, see capture/frame-timing.ts), the tick's for a repeated frame.
 *
 * Server control (`keyframe`, `set-fps`, stream reset) comes back from the sender and is applied
 * here. Every piece except capture, encoder backend and socket is pure and unit-tested.
 *
 * Backlog (README "Backlog"): every queued message is written to IndexedDB before it is sent
 * (`BacklogPersister`) and deleted on ack. On start, an earlier page's unacknowledged messages
 * for this seat are loaded back into the queue, its stream is resumed, its sequence numbers and
 * media timeline continue, and a `gap` (`sentinel-restarted`) covers the capture time between
 * the two pages. Holes in the capture (capture stopped, queue full) become `gap` notices that
 * travel with the next message. When the server ends the stream (`stop`, or capture refused
 * after the exam's end) capture stops and the backlog is uploaded over upload-only connections.
 *
 * Events (issue 11 event track): capture started, ended, muted and unmuted, screen size
 * changes, the page's signals (`page-signals.ts`: reload, online/offline, visibility, screen
 * count), an encoder fallback, and blank or frozen screens (`ScreenWatch` on a 64x36 luma
 * thumbnail of the sampled frame, at most once a second) go into an `EventQueue` the sender
 * delivers with acknowledgement (kept across reconnects, not across reloads).
 */
import { FPS_DEFAULT, FPS_MAX, FPS_MIN, type KeyframeReason as ServerKeyframeReason } from '@vigil/protocol';
import type { SentinelEventDetail, SentinelEventKind } from '@vigil/protocol';
import { freshFrameWaitMs, sampleCaptureTimeMs } from '../capture/frame-timing';
import { ScreenCapture, type CaptureState } from '../capture/screen-capture';
import { ScreenWatch, type ScreenWatchEvent, type ScreenWatchOptions } from '../capture/screen-watch';
import { ThumbnailReader } from '../capture/thumbnail';
import { EventQueue, randomPageId } from '../sender/event-queue';
import { watchPageSignals } from './page-signals';
import type { EncodedVideo, EncoderBackend, EncoderBackendCallbacks, EncoderName, VideoEncoderSettings } from '../encode/encoder-backend';
import { encoderSettingsFor, sameSettings } from '../encode/encoder-settings';
import { browserEncoderProbes, selectEncoder } from '../encode/encoder-selection';
import { OpenH264WasmBackend } from '../encode/openh264/openh264-backend';
import { WebCodecsBackend } from '../encode/webcodecs-backend';
import { FragmentMuxer } from '../mux/fragment-muxer';
import { BacklogPersister } from '../sender/backlog-persister';
import { BacklogStore, emptySeatRecord, type BacklogStoreLike, type SeatRecord } from '../sender/backlog-store';
import { OutboundQueue, type CaptureGap, type OutboundMessage } from '../sender/outbound-queue';
import { CLOSE_GOING_AWAY, SentinelSender, type ConnectionState, type HelloFields, type SocketFactory } from '../sender/sentinel-sender';
import { FrameClock, type FrameTick, type Scheduler } from '../timing/frame-clock';
import { workerScheduler } from '../timing/worker-scheduler';
import { KeyframePolicy } from '../timing/keyframe-policy';
import { msToTicks, TICKS_PER_MS, ticksToUs } from '../timing/media-time';
import { RollingAverage } from '../util/rolling-average';
import type { SentinelConfig } from './config';
import { overallState, type SentinelPhase, type SentinelStatus } from './status';

/** Frames allowed inside the encoder before a tick is skipped (realtime: never build a backlog). */
const MAX_ENCODER_QUEUE = 2;

/** The screen watch looks at a sampled frame at most this often, ms. */
const WATCH_INTERVAL_MS = 1000;

/** Longest wait of a tick for a fresh captured frame, ms (also at most 3/4 of the frame interval). */
const MAX_FRAME_WAIT_MS = 150;

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
  /**
   * Opens the backlog store (default: IndexedDB, `BacklogStore.open()`); null disables it
   * (memory only, state `unavailable`).
   */
  openBacklogStore?: (() => Promise<BacklogStoreLike>) | null;
  /** Wall clock, ms since the Unix epoch (default `Date.now`). */
  wallClock?: () => number;
  /** Report the browser's page signals (reload, online/offline, visibility, screens) as events (default true). */
  pageSignals?: boolean;
  /** Blank and frozen screen thresholds; null turns the screen watch off (default: `ScreenWatch`'s defaults). */
  screenWatch?: ScreenWatchOptions | null;
}

/** A hole in the capture waiting for the next frame, which ends it. */
interface PendingGap {
  reason: CaptureGap['reason'];
  /** Start of the hole, ms since the Unix epoch. */
  fromMs: number;
}

interface PendingFrame {
  /** The pipeline asked for an IDR. */
  keyFrame: boolean;
  /** Frame-clock media time (for the keyframe policy), 90 kHz ticks. */
  mediaTime: number;
  /** Stream media time (`tfdt`): frame-clock time + the offset that continues an earlier page's timeline. */
  streamMediaTime: number;
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
  private readonly openBacklogStore: (() => Promise<BacklogStoreLike>) | null;
  private readonly wallClock: () => number;
  private persister: BacklogPersister | null = null;
  /** Added to the frame clock's media time: continues an earlier page's timeline (90 kHz ticks). */
  private mediaOffsetTicks = 0;
  private pendingGap: PendingGap | null = null;
  /** Capture time of the end of the last muxed frame, ms since the Unix epoch. */
  private lastFrameEndMs: number | null = null;
  private gapCount = 0;
  private lastGap: CaptureGap | null = null;
  private restoredMessages = 0;
  private restoredFrames = 0;
  private restoredStreamId: string | null = null;
  private allRecorded = false;
  private storageUsage: number | null = null;
  private storageQuota: number | null = null;
  private readonly eventQueue = new EventQueue({ page: randomPageId() });
  private readonly screenWatch: ScreenWatch | null;
  /** Thumbnail reader, created on first use; null when the browser cannot (then no screen watch). */
  private thumbnails: ThumbnailReader | null | undefined = undefined;
  /** A thumbnail read is in flight (at most one). */
  private watchReading = false;
  private lastWatchMs = -Infinity;
  private readonly pageSignals: boolean;
  private stopPageSignals: (() => void) | null = null;
  /** Size of the last captured frame (kept across capture restarts), pixels; null before the first. */
  private captureSize: { width: number; height: number } | null = null;
  /** A tick waiting for the next captured frame (at most one; a newer tick replaces it). */
  private frameWait: { tick: FrameTick; timer: unknown } | null = null;
  /** `framesReceived` of the frame the last sample took (a repeat on a static screen has the same). */
  private lastSampledFrame = -1;
  /** Capture time of the last sample, capture clock ms (`performance.now()` scale); null on a new timeline. */
  private lastSampleCaptureMs: number | null = null;

  constructor(options: SentinelOptions) {
    this.config = options.config;
    this.scheduler = options.scheduler ?? workerScheduler();
    this.onChange = options.onChange ?? (() => undefined);
    this.createBackend = options.createBackend ?? null;
    this.openBacklogStore = options.openBacklogStore === undefined ? () => BacklogStore.open() : options.openBacklogStore;
    this.wallClock = options.wallClock ?? Date.now;
    this.pageSignals = options.pageSignals ?? true;
    this.screenWatch = options.screenWatch === null ? null : new ScreenWatch(options.screenWatch ?? {});
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
        muted: (muted) => {
          if (muted) this.resetWatch();
          this.emitEvent(muted ? 'capture-muted' : 'capture-unmuted');
        },
        frame: () => this.endFrameWait(),
      },
    });
    this.clock = new FrameClock({
      scheduler: this.scheduler,
      fps: FPS_DEFAULT,
      onTick: (tick) => this.onTick(tick),
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
      eventQueue: this.eventQueue,
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
          if (state === 'ended') this.onEnded();
          this.changed();
        },
        welcome: (welcome) => {
          this.persister?.noteStream(welcome.streamId);
          this.persister?.noteAck(this.queue.lastAcked);
          this.persister?.noteFps(welcome.fps);
          if (welcome.fps !== this.clock.fps && !this.sender.uploadingOnly) this.clock.setFps(welcome.fps);
          this.changed();
        },
        streamReset: (firstSequence, welcome) => {
          this.persister?.noteReset(welcome.streamId, firstSequence);
          this.onStreamReset();
        },
        keyframe: (reason) => this.onKeyframeRequest(reason),
        setFps: (fps) => {
          this.persister?.noteFps(fps);
          this.clock.setFps(fps);
          this.changed();
        },
        ended: (_reason, message) => {
          this.endedMessage = message;
          console.info(`[vigil-sentinel] the server ended this stream: ${message}`);
          this.onCaptureClosed();
        },
        captureClosed: (message) => {
          this.endedMessage = message;
          console.info(`[vigil-sentinel] the server closed capture: ${message}; uploading the backlog`);
          this.onCaptureClosed();
        },
        drained: () => {
          this.allRecorded = true;
          this.persister?.forget();
          this.changed();
        },
        ack: (sequence) => {
          this.persister?.noteAck(sequence);
          this.changed();
        },
        error: (message) => this.setError(message),
      },
    });
  }

  /** A read-only snapshot of the current status. */
  status(): SentinelStatus {
    const init = this.muxer.currentInit;
    const stats = this.screenWatch?.lastStats ?? null;
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
      queuedSeconds: Math.round(this.queue.mediaTicks / 9000) / 10,
      queuedFrames: this.queue.fragmentCount,
      storage: this.persister?.state ?? 'starting',
      storageError: this.persister?.lastError ?? null,
      storageUsageBytes: this.storageUsage,
      storageQuotaBytes: this.storageQuota,
      storedSequence: this.persister?.writtenThrough ?? 0,
      restoredMessages: this.restoredMessages,
      restoredFrames: this.restoredFrames,
      restoredStreamId: this.restoredStreamId,
      gaps: this.gapCount,
      lastGap: this.lastGap,
      uploadOnly: this.sender.uploadingOnly,
      allRecorded: this.allRecorded,
      lastWelcomeAtMs: this.sender.lastWelcomeAtMs === null ? null : Math.round(performance.timeOrigin + this.sender.lastWelcomeAtMs),
      eventsQueued: this.eventQueue.depth,
      eventsDropped: this.eventQueue.dropped,
      lastEvent: this.eventQueue.last?.kind ?? null,
      screenBlank: this.screenWatch?.blank ?? false,
      screenFrozen: this.screenWatch?.frozen ?? false,
      screenLuma: stats ? round1(stats.mean) : null,
      screenFlatness: stats ? Math.round(stats.flatFraction * 100) / 100 : null,
    });
  }


  /**
   * Checks the encoder, connects, and starts capturing. Resolves once capture runs; rejects
   * (and shows why) when the encoder is unusable. A refused or gesture-less capture leaves the
   * phase at `waiting-for-share`: call `shareScreen()` from a click.
   */
  async start(): Promise<void> {
    if (this.pageSignals && this.stopPageSignals === null) this.stopPageSignals = watchPageSignals((kind, detail) => this.emitEvent(kind, detail));
    const selection = await selectEncoder(this.config.encoder, browserEncoderProbes());
    if (this.halted()) return;
    if (selection.encoder === null) {
      this.fatal(selection.reason);
      return;
    }
    if (selection.encoder !== 'webcodecs') {
      console.info(`[vigil-sentinel] ${selection.reason}`);
      this.emitEvent('encoder-fallback', { encoder: selection.encoder, reason: selection.reason.slice(0, 200) });
    }
    this.encoderName = selection.encoder;
    this.hello.encoder = selection.encoder;
    this.hello.capabilities = { encoders: [...selection.available] };
    this.createBackend ??=
      selection.encoder === 'openh264-wasm'
        ? (callbacks) => new OpenH264WasmBackend(callbacks)
        : (callbacks) => new WebCodecsBackend(callbacks);
    const captureEnded = await this.restoreBacklog();
    if (this.halted()) return;
    if (captureEnded) {
      // an earlier page was told the stream is over: only its backlog remains to upload
      this.phase = 'uploading';
      this.sender.drain();
      this.changed();
      return;
    }
    this.sender.start();
    await this.shareScreen();
  }

  /**
   * Opens the backlog store and takes over what an earlier page of this seat left: its
   * unacknowledged messages (queued again, sent first), its stream id, its sequence numbers,
   * and the end of its media timeline (this page's continues after it, with a
   * `sentinel-restarted` gap for the time in between). Storage problems never stop the page:
   * the backlog is then kept in memory only and the panel says so.
   * @returns true when the earlier page's stream was ended by the server (upload only)
   */
  private async restoreBacklog(): Promise<boolean> {
    const now = this.wallClock();
    let record: SeatRecord = emptySeatRecord(this.config.examId, this.config.seatId, now);
    let store: BacklogStoreLike | null = null;
    let unavailableReason: string | undefined;
    if (this.openBacklogStore === null) {
      unavailableReason = 'the backlog store is disabled';
    } else {
      try {
        store = await this.openBacklogStore();
      } catch (error) {
        unavailableReason = `IndexedDB cannot be opened: ${errorText(error)}`;
      }
    }
    let captureEnded = false;
    if (store !== null) {
      try {
        const restored = await store.load(this.config.examId, this.config.seatId);
        if (restored !== null && restored.record.captureEnded && restored.messages.length === 0) {
          await store.forget(restored.record.seat); // an ended, fully recorded stream: start afresh
        } else if (restored !== null) {
          record = restored.record;
          captureEnded = record.captureEnded;
          this.queue.reset(record.lastAcked + 1);
          for (const message of restored.messages) this.queue.push(message);
          this.restoredMessages = restored.messages.length;
          this.restoredFrames = restored.messages.filter((m) => m.kind === 'fragment').length;
          if (restored.discarded > 0 || record.highestSequence > this.queue.highestSequence) {
            this.setError(
              `the stored backlog has a hole after #${this.queue.highestSequence} (${restored.discarded} stored messages unusable): ` +
                'the server will start a new stream if it misses them',
            );
          }
          if (record.streamId !== null) {
            this.sender.resumeStream(record.streamId);
            this.restoredStreamId = record.streamId;
          }
          // capture at the stream's rate while offline, until a welcome says otherwise
          if (record.fps !== undefined && record.fps >= FPS_MIN && record.fps <= FPS_MAX) this.clock.setFps(record.fps);
          if (record.mediaEndTicks !== null && record.captureEndMs !== null) {
            const elapsedMs = Math.max(0, now - record.captureEndMs);
            this.mediaOffsetTicks = record.mediaEndTicks + msToTicks(elapsedMs);
            this.pendingGap = { reason: 'sentinel-restarted', fromMs: record.captureEndMs };
            this.lastFrameEndMs = record.captureEndMs;
          }
          console.info(
            `[vigil-sentinel] took over ${restored.messages.length} unacknowledged messages of stream ${record.streamId ?? '(not named yet)'} from an earlier page`,
          );
        }
      } catch (error) {
        this.setError(`cannot read the stored backlog: ${errorText(error)}`);
      }
    }
    this.persister = new BacklogPersister({
      store,
      queue: this.queue,
      scheduler: this.scheduler,
      record,
      onSendable: () => this.sender.pump(),
      onChange: () => {
        const storageError = this.persister?.lastError;
        if (storageError) console.warn(`[vigil-sentinel] backlog storage: ${this.persister?.state}: ${storageError}`);
        void this.refreshEstimate();
        this.changed();
      },
      ...(unavailableReason !== undefined ? { unavailableReason } : {}),
      wallClock: this.wallClock,
    });
    if (unavailableReason !== undefined) console.warn(`[vigil-sentinel] ${unavailableReason}: the backlog is kept in memory only`);
    void this.requestPersistence();
    return captureEnded;
  }

  /** Asks the browser not to evict this origin's storage (W3C Storage §4.6), and reads the estimate. */
  private async requestPersistence(): Promise<void> {
    try {
      await navigator.storage?.persist?.();
    } catch {
      // best effort
    }
    await this.refreshEstimate();
  }

  private async refreshEstimate(): Promise<void> {
    try {
      const estimate = await navigator.storage?.estimate?.();
      if (estimate === undefined) return;
      this.storageUsage = estimate.usage ?? null;
      this.storageQuota = estimate.quota ?? null;
      this.changed();
    } catch {
      // unknown
    }
  }

  /** Starts (or restarts) screen capture; call from a user gesture if `start()` could not. */
  async shareScreen(): Promise<void> {
    if (this.halted()) return;
    try {
      await this.capture.start();
    } catch (error) {
      if (!this.halted()) this.phase = 'waiting-for-share';
      this.setError(`Screen sharing did not start: ${errorText(error)}`);
      this.emitEvent('capture-ended', { reason: `screen sharing did not start: ${errorText(error)}`.slice(0, 200) });
      return;
    }
    if (this.halted()) {
      this.capture.stop(); // halted while the share dialog was open
      return;
    }
    this.phase = 'running';
    this.resetWatch();
    this.emitEvent('capture-started');
    if (!this.clock.running) {
      this.clock.start();
    } else {
      // Content discontinuity: begin the new capture with an IDR.
      if (this.policy.request('restart', this.nowMediaTime())) this.clock.tickNow();
    }
    this.changed();
  }

  /**
   * The page goes away (`pagehide`): stops capturing and uploading, closes with 1001 (the
   * server keeps the stream resumable) and leaves the backlog in IndexedDB for the next page.
   * Every queued message was written there before it was sent. Idempotent.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clock.stop();
    this.cancelFrameWait();
    this.capture.stop();
    this.stopPageSignals?.();
    this.stopPageSignals = null;
    this.backend?.close();
    this.backend = null;
    this.sender.stop(CLOSE_GOING_AWAY);
    this.persister?.close();
    this.phase = 'stopped';
    this.changed();
  }

  /** Resolves once the backlog store has nothing left to write (tests). */
  async backlogIdle(): Promise<void> {
    await this.persister?.idle();
  }

  /**
   * A frame-clock tick: samples the latest captured frame now, or, while captured frames keep
   * coming (the screen changes), waits for the next one first (`freshFrameWaitMs`: at most
   * {@link MAX_FRAME_WAIT_MS} and 3/4 of the frame interval). Immediate ticks (start, keyframe
   * request, frame-rate change) never wait. A tick still waiting when the next one comes is skipped.
   */
  private onTick(tick: FrameTick): void {
    this.ticks++;
    if (this.stopped) return;
    if (this.cancelFrameWait()) this.skip();
    const waitMs = tick.immediate
      ? 0
      : freshFrameWaitMs({
          nowMs: this.scheduler.now(),
          latestArrivalMs: this.capture.latest === null ? null : this.capture.latestAtMs,
          intervalMs: this.capture.frameIntervalMs,
          maxWaitMs: Math.min(MAX_FRAME_WAIT_MS, (0.75 * tick.duration) / TICKS_PER_MS),
        });
    if (waitMs <= 0) {
      void this.sample(tick);
      return;
    }
    this.frameWait = { tick, timer: this.scheduler.setTimeout(() => this.endFrameWait(), waitMs) };
  }

  /** A captured frame arrived or the wait timed out: the waiting tick samples now. */
  private endFrameWait(): void {
    const wait = this.frameWait;
    if (wait === null) return;
    this.cancelFrameWait();
    void this.sample(wait.tick);
  }

  /** Drops the waiting tick, if any; true when there was one. */
  private cancelFrameWait(): boolean {
    const wait = this.frameWait;
    if (wait === null) return false;
    this.frameWait = null;
    this.scheduler.clearTimeout(wait.timer);
    return true;
  }

  /** Encodes the latest captured frame for `tick`. */
  private async sample(tick: FrameTick): Promise<void> {
    if (this.stopped) return;
    const frame = this.capture.latest;
    if (frame === null || this.configuring) return this.skip();
    if (this.queue.overLimit) {
      if (!this.queueFullReported) {
        this.queueFullReported = true;
        this.setError(
          `Upload queue full (${Math.round(this.queue.bytes / 1048576)} MiB unacknowledged): recording paused until the server catches up; ` +
            'the pause is marked in the recording as a gap (storage-failed).',
        );
        this.noteGap('storage-failed');
      }
      return this.skip();
    }
    this.queueFullReported = false;
    this.sourceWidth = frame.displayWidth;
    this.sourceHeight = frame.displayHeight;
    this.noteCaptureSize(frame.displayWidth, frame.displayHeight);
    this.watchFrame(frame);
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
    const streamMediaTime = tick.mediaTime + this.mediaOffsetTicks;
    const timestamp = ticksToUs(streamMediaTime);
    const frameIndex = this.capture.framesReceived;
    const captureTimeMs = sampleCaptureTimeMs({
      tickMs: tick.clockTimeMs,
      nowMs: this.scheduler.now(),
      frameCaptureMs: this.capture.latestCaptureMs,
      repeated: frameIndex === this.lastSampledFrame,
      previousMs: this.lastSampleCaptureMs,
    });
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
    this.lastSampledFrame = frameIndex;
    this.lastSampleCaptureMs = captureTimeMs;
    this.pending.set(timestamp, {
      keyFrame,
      mediaTime: tick.mediaTime,
      streamMediaTime,
      duration: tick.duration,
      captureTimeMs: performance.timeOrigin + captureTimeMs,
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
      result = this.muxer.mux(chunk, { mediaTime: meta.streamMediaTime, duration: meta.duration, captureTimeMs: meta.captureTimeMs }, this.queue.nextSequence);
    } catch (error) {
      this.setError(`muxing failed: ${errorText(error)}`);
      this.policy.request('restart', this.nowMediaTime());
      return;
    }
    if (result.dropped !== undefined) {
      this.policy.request('restart', this.nowMediaTime());
    }
    const captureEndMs = meta.captureTimeMs + meta.duration / TICKS_PER_MS;
    const gaps = result.messages.length > 0 ? this.takeGap(meta.captureTimeMs) : [];
    result.messages.forEach((message, i) => {
      const timed: OutboundMessage =
        message.kind === 'fragment'
          ? { ...message, durationTicks: meta.duration, mediaEndTicks: meta.streamMediaTime + meta.duration, captureEndMs }
          : message;
      this.queue.push(i === 0 && gaps.length > 0 ? { ...timed, gaps } : timed);
    });
    if (result.messages.length > 0) this.lastFrameEndMs = captureEndMs;
    this.persister?.notePushed();
    this.sender.pump();
    this.changed();
  }

  /** Remembers that the capture has a hole from the last frame on; the next frame ends it. */
  private noteGap(reason: CaptureGap['reason']): void {
    if (this.pendingGap !== null || this.lastFrameEndMs === null) return;
    this.pendingGap = { reason, fromMs: this.lastFrameEndMs };
  }

  /** The pending hole, ended by a frame captured at `captureTimeMs` (epoch ms), as a `gap` notice. */
  private takeGap(captureTimeMs: number): CaptureGap[] {
    const pending = this.pendingGap;
    if (pending === null) return [];
    this.pendingGap = null;
    const toMs = Math.max(0, Math.round(captureTimeMs));
    const gap: CaptureGap = { fromMs: Math.min(Math.max(0, Math.round(pending.fromMs)), toMs), toMs, reason: pending.reason };
    this.gapCount++;
    this.lastGap = gap;
    console.info(`[vigil-sentinel] gap ${gap.reason}: ${gap.toMs - gap.fromMs} ms without frames`);
    return [gap];
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
    this.mediaOffsetTicks = 0;
    this.pendingGap = null;
    this.lastFrameEndMs = null;
    this.lastSampleCaptureMs = null;
    if (this.clock.running) this.clock.start();
    this.changed();
  }

  /**
   * The server ended the stream (`stop`) or refused further capture (exam over): stop
   * capturing now; the sender uploads what is queued (phase `uploading`) and then ends.
   */
  private onCaptureClosed(): void {
    this.persister?.noteCaptureEnded();
    this.phase = this.queue.depth > 0 ? 'uploading' : 'ended';
    this.clock.stop();
    this.cancelFrameWait();
    this.capture.stop();
    this.dropEncoder();
    this.changed();
  }

  /** The sender reached `ended`: the stream is over, with or without a backlog left. */
  private onEnded(): void {
    this.halt('ended');
    if (this.queue.depth === 0 && !this.allRecorded) {
      this.allRecorded = true;
      this.persister?.forget();
    }
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
    this.cancelFrameWait();
    this.capture.stop();
    this.dropEncoder();
  }

  /** True once stopped, ended by the server, or halted by a fatal error (re-read after every await). */
  private halted(): boolean {
    return this.stopped || this.phase === 'error' || this.phase === 'ended' || this.phase === 'uploading';
  }

  private onCaptureEnded(message: string): void {
    if (this.halted()) return; // we stopped the capture ourselves
    this.resetWatch();
    this.emitEvent('capture-ended', { reason: message.slice(0, 200) });
    this.phase = 'waiting-for-share';
    this.noteGap('capture-stopped');
    this.setError(message);
  }

  /**
   * Queues an event for the server (time: now, ms since the Unix epoch) and sends it when
   * connected. Never throws: an event that cannot be built is logged and left out.
   */
  private emitEvent(kind: SentinelEventKind, detail?: SentinelEventDetail, atMs = this.wallClock()): void {
    try {
      this.eventQueue.push(kind, Math.round(atMs * 10) / 10, detail);
      console.info(`[vigil-sentinel] event ${kind}${detail ? ` ${JSON.stringify(detail)}` : ''}`);
      this.sender.pump();
      this.changed();
    } catch (error) {
      console.warn(`[vigil-sentinel] event ${kind} not queued: ${errorText(error)}`);
    }
  }

  /** A captured frame of another size than the last one: `screen-size-changed` (not for the first frame). */
  private noteCaptureSize(width: number, height: number): void {
    const last = this.captureSize;
    if (last !== null && last.width === width && last.height === height) return;
    this.captureSize = { width, height };
    if (last !== null && width > 0 && height > 0) this.emitEvent('screen-size-changed', { width, height });
  }

  /** Feeds the screen watch a thumbnail of the sampled frame, at most every {@link WATCH_INTERVAL_MS}. */
  private watchFrame(frame: VideoFrame): void {
    const watch = this.screenWatch;
    const now = this.scheduler.now();
    if (watch === null || now - this.lastWatchMs < WATCH_INTERVAL_MS) return;
    this.lastWatchMs = now;
    if (this.thumbnails === undefined) this.thumbnails = new ThumbnailReader();
    if (this.thumbnails === null || this.watchReading) return;
    // the copy is read asynchronously: a clone keeps its pixels while the capture moves on
    const copy = frame.clone();
    this.watchReading = true;
    this.thumbnails
      .read(copy)
      .then((luma) => {
        if (this.stopped) return;
        for (const e of watch.observe(luma, this.wallClock())) this.emitWatchEvent(e);
      })
      .catch((error: unknown) => {
        this.thumbnails = null; // a frame format it cannot read: no screen watch rather than a warning a second
        console.warn(`[vigil-sentinel] screen watch off: ${errorText(error)}`);
      })
      .finally(() => {
        copy.close();
        this.watchReading = false;
      });
  }

  /** Capture stopped or restarted: the watch starts afresh (its open conditions end now). */
  private resetWatch(): void {
    this.lastWatchMs = -Infinity;
    for (const e of this.screenWatch?.reset(this.wallClock()) ?? []) this.emitWatchEvent(e);
  }

  private emitWatchEvent(e: ScreenWatchEvent): void {
    this.emitEvent(e.kind, { state: e.state, heldMs: Math.min(86_400_000, e.heldMs), luma: e.luma }, e.atMs);
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
