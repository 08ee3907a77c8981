/**
 * Whole-screen capture (W3C Screen Capture, `getDisplayMedia`) read frame by frame with
 * `MediaStreamTrackProcessor` (W3C mediacapture-transform). Only the latest frame is kept
 * (see {@link LatestFrameSlot}); the frame clock samples it. Each frame's capture time comes
 * from its `VideoFrame.timestamp` ({@link CaptureClock}, frame-timing.ts), and the typical
 * interval between frames is tracked so a tick can wait for a fresh one.
 */
import { ArrivalIntervals, CaptureClock } from './frame-timing';
import { LatestFrameSlot } from './latest-frame-slot';

/** Capture lifecycle. */
export type CaptureState = 'idle' | 'starting' | 'active' | 'ended' | 'error';

/** What the capture reports. */
export interface ScreenCaptureEvents {
  /** The track ended (sharing stopped from the browser UI, display unplugged...). */
  ended?(message: string): void;
  /** Reading frames failed. */
  error?(message: string): void;
  /** State changed. */
  state?(state: CaptureState): void;
  /** The track stopped (`true`: `mute`, no frames for now: screen locked, display asleep) or resumed (`false`: `unmute`) delivering frames. */
  muted?(muted: boolean): void;
  /** A new frame is the latest (called synchronously, after `latest` changed). */
  frame?(): void;
}

/** Options for {@link ScreenCapture}. */
export interface ScreenCaptureOptions {
  /**
   * Cap on the capture rate, fps (default 10). Screen capture only delivers frames on change,
   * but a busy screen would otherwise deliver 25-30 fps that are read and closed for nothing.
   * The frame sampled at a tick is then at most 1/cap seconds old.
   */
  maxCaptureFps?: number;
  /** Monotonic clock, ms (default `performance.now`). */
  now?: () => number;
  /** Event listeners. */
  events?: ScreenCaptureEvents;
}

/** Captures the entire screen and keeps its latest frame; see the module comment. */
export class ScreenCapture {
  private readonly slot = new LatestFrameSlot<VideoFrame>();
  private readonly captureClock = new CaptureClock();
  private readonly intervals = new ArrivalIntervals();
  private latestCapture = 0;
  private readonly maxCaptureFps: number;
  private readonly now: () => number;
  private readonly events: ScreenCaptureEvents;
  private stream: MediaStream | null = null;
  private reader: ReadableStreamDefaultReader<VideoFrame> | null = null;
  private currentState: CaptureState = 'idle';
  private generation = 0;
  private surface: string | null = null;

  constructor(options: ScreenCaptureOptions = {}) {
    this.maxCaptureFps = options.maxCaptureFps ?? 10;
    if (!(this.maxCaptureFps >= 1 && this.maxCaptureFps <= 60)) {
      throw new TypeError(`maxCaptureFps must be a number in [1, 60], got ${String(options.maxCaptureFps)}`);
    }
    this.now = options.now ?? (() => performance.now());
    this.events = options.events ?? {};
  }

  /** True when this browser can capture the screen frame by frame. */
  static isSupported(): boolean {
    return (
      typeof navigator !== 'undefined' &&
      typeof navigator.mediaDevices?.getDisplayMedia === 'function' &&
      typeof MediaStreamTrackProcessor === 'function'
    );
  }

  /** Current state. */
  get state(): CaptureState {
    return this.currentState;
  }

  /** The latest frame, borrowed (do not close; clone synchronously to keep it). Null when none. */
  get latest(): VideoFrame | null {
    return this.slot.current;
  }

  /** Capture-clock time (ms) the latest frame arrived. */
  get latestAtMs(): number {
    return this.slot.receivedAtMs;
  }

  /**
   * Capture-clock time (ms) the latest frame was captured: from its `VideoFrame.timestamp`
   * ({@link CaptureClock}), at most its arrival time. 0 when there is no frame.
   */
  get latestCaptureMs(): number {
    return this.slot.current === null ? 0 : this.latestCapture;
  }

  /** Typical interval between the latest captured frames, ms (median of the last 5); null before two frames. */
  get frameIntervalMs(): number | null {
    return this.intervals.medianMs;
  }

  /** Frames delivered by capture since creation (also identifies the latest frame). */
  get framesReceived(): number {
    return this.slot.receivedCount;
  }

  /** `displaySurface` of the current track ('monitor' expected), or null. */
  get displaySurface(): string | null {
    return this.surface;
  }

  /**
   * Asks for the entire screen and starts reading frames. Stops any earlier capture first.
   * May need a user gesture (transient activation) in browsers without a kiosk policy.
   * @throws DOMException from getDisplayMedia (NotAllowedError when refused), or Error when a
   *   window or tab was shared instead of the entire screen
   */
  async start(): Promise<void> {
    if (!ScreenCapture.isSupported()) {
      throw new Error('This browser cannot capture the screen frame by frame (needs getDisplayMedia and MediaStreamTrackProcessor: use Chrome).');
    }
    this.stop();
    const generation = ++this.generation;
    this.setState('starting');
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({
        video: { displaySurface: 'monitor', frameRate: { max: this.maxCaptureFps } },
        audio: false,
      });
    } catch (error) {
      if (generation === this.generation) this.setState('error');
      throw error;
    }
    const track = stream.getVideoTracks()[0];
    if (generation !== this.generation || track === undefined) {
      for (const t of stream.getTracks()) t.stop();
      if (track === undefined) throw new Error('getDisplayMedia returned no video track');
      return;
    }
    const surface = (track.getSettings() as MediaTrackSettings & { displaySurface?: string }).displaySurface ?? null;
    if (surface !== null && surface !== 'monitor') {
      track.stop();
      this.setState('error');
      throw new Error(`A ${surface} was shared; the Sentinel needs the entire screen. Share again and pick "Entire screen".`);
    }
    this.stream = stream;
    this.surface = surface;
    this.captureClock.reset(); // a new track: its timestamps may have another origin
    this.intervals.reset();
    track.addEventListener('ended', () => this.onEnded(generation));
    track.addEventListener('mute', () => generation === this.generation && this.emit(() => this.events.muted?.(true)));
    track.addEventListener('unmute', () => generation === this.generation && this.emit(() => this.events.muted?.(false)));
    const Processor = MediaStreamTrackProcessor!;
    const reader = new Processor({ track, maxBufferSize: 1 }).readable.getReader();
    this.reader = reader;
    this.setState('active');
    void this.readLoop(reader, generation);
  }

  /** Stops capturing and closes the held frame. Idempotent. */
  stop(): void {
    this.generation++;
    const reader = this.reader;
    this.reader = null;
    if (reader !== null) reader.cancel().catch(() => undefined);
    if (this.stream !== null) for (const t of this.stream.getTracks()) t.stop();
    this.stream = null;
    this.surface = null;
    this.slot.clear();
    if (this.currentState !== 'idle') this.setState('idle');
  }

  private async readLoop(reader: ReadableStreamDefaultReader<VideoFrame>, generation: number): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (generation !== this.generation) {
          value.close();
          break;
        }
        const arrivedMs = this.now();
        this.latestCapture = this.captureClock.captureTimeMs(value.timestamp, arrivedMs);
        this.intervals.add(arrivedMs);
        this.slot.put(value, arrivedMs);
        this.emit(() => this.events.frame?.());
      }
    } catch (error) {
      if (generation === this.generation) {
        this.setState('error');
        this.emit(() => this.events.error?.(`reading captured frames failed: ${error instanceof Error ? error.message : String(error)}`));
      }
    }
  }

  private onEnded(generation: number): void {
    if (generation !== this.generation) return;
    this.slot.clear();
    this.setState('ended');
    this.emit(() => this.events.ended?.('Screen sharing stopped. Share the entire screen again to continue.'));
  }

  private setState(state: CaptureState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.emit(() => this.events.state?.(state));
  }

  private emit(call: () => void): void {
    try {
      call();
    } catch (error) {
      console.error('screen capture listener failed', error);
    }
  }
}
