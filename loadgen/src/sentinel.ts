/**
 * A synthetic Sentinel (I/O): the real wire protocol (@vigil/protocol) over a real WebSocket
 * to `/ws/sentinel`, real H.264 frames replayed in real fMP4 fragments (@vigil/fmp4, with the
 * `prft` capture time), one fragment per frame at the frame rate, whether connected or not
 * (as the browser Sentinel captures offline). Like the browser Sentinel it keeps every
 * unacknowledged message, reconnects after any close with back-off, resumes its stream with
 * `hello.streamId`, drops what `welcome.lastAckedSequence` covers and resends the rest in
 * order; it honours `keyframe` (next frame an IDR frame) and `set-fps`, and sends `status`.
 * It measures ack latency (last send → ack) into {@link RunMetrics}.
 * Modelled on e2e/support/node-sentinel.ts (copied, not imported: e2e is not a library).
 */
import WebSocket from 'ws';
import { writeFragment, writeInitSegment } from '@vigil/fmp4';
import {
  MediaFlags,
  MediaKind,
  SENTINEL_WS_PATH,
  STATUS_INTERVAL_MS,
  encodeControl,
  encodeMediaMessage,
  parseServerToSentinel,
  type ServerToSentinelMessage,
} from '@vigil/protocol';
import { nextSyncIndex, type FrameSet } from './frame-set';
import { preciseNowMs } from './clock';
import type { RunMetrics } from './metrics';
import { FrameClock, backoffMs, frameIntervalMs, frameTicks } from './pacing';
import { closeSocket } from './close-socket';

/** A seat: what a kiosk URL carries. */
export interface Seat {
  examId: string;
  seatId: string;
  token: string;
}

/** How a {@link SyntheticSentinel} runs. */
export interface SyntheticSentinelOptions {
  /** `http://host:port`; the socket is `ws://host:port/ws/sentinel`. */
  baseUrl: string;
  seat: Seat;
  frames: FrameSet;
  /** Frames per second until the server says otherwise (`welcome.fps`, `set-fps`). */
  fps: number;
  metrics: RunMetrics;
  /** Called with the stream id after the first `welcome`, and again if the server starts a new stream. */
  onStream?: (streamId: string) => void;
  /** Clock, ms since the Unix epoch (default {@link preciseNowMs}). */
  now?: () => number;
  /** Random numbers in [0, 1) for back-off jitter (default Math.random). */
  random?: () => number;
  /**
   * Frames of the first GOP (then the next IDR of the set comes at once): the phase of this
   * Sentinel's IDRs ({@link firstGopFrames}); default: the set's own GOP.
   */
  firstGopFrames?: number;
}

/** One message waiting for its ack. */
interface Pending {
  bytes: Uint8Array;
  /** When it was made (frame capture time), ms. */
  producedAtMs: number;
  /** When it was last handed to the socket, ms; null = not sent yet. */
  lastSentAtMs: number | null;
  /** Times sent. */
  sends: number;
  /** A fragment that carries an IDR (flag `join`). */
  keyframe: boolean;
}

/** Close codes after which the Sentinel does not reconnect (set with the error that precedes them). */
const FINAL_ERRORS = new Set(['auth-failed', 'unsupported-version']);

export class SyntheticSentinel {
  /** The stream this Sentinel uploads to (null before the first welcome). */
  streamId: string | null = null;
  /** Highest sequence number acknowledged. */
  lastAcked = 0;
  /** Welcomed and not closed. */
  connected = false;
  /** The server ended this Sentinel for good (`stop`, `auth-failed`): no reconnects. */
  finished: string | null = null;
  private readonly backlog = new Map<number, Pending>();
  private backlogBytes = 0;
  private nextSequence = 1;
  private frameIndex = 0;
  private mediaTime = 0;
  private forceSync = false;
  /** Frames left in the first GOP before its IDR is brought forward (null: no cut left). */
  private firstGopLeft: number | null;
  private fps: number;
  private clock: FrameClock | null = null;
  private frameTimer: ReturnType<typeof setTimeout> | null = null;
  private statusTimer: ReturnType<typeof setInterval> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private socket: WebSocket | null = null;
  private failedAttempts = 0;
  private closing = false;
  private welcomedOnce = false;
  private bytesSentOnStream = 0;
  private keyframesOnStream = 0;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly o: SyntheticSentinelOptions) {
    this.fps = o.fps;
    this.firstGopLeft = o.firstGopFrames ?? null;
    this.now = o.now ?? preciseNowMs;
    this.random = o.random ?? Math.random;
  }

  /** Messages not acknowledged yet. */
  get pending(): number {
    return this.backlog.size;
  }

  /** When the oldest unacknowledged message was made, ms; null when none is pending. */
  get oldestPendingAtMs(): number | null {
    for (const p of this.backlog.values()) return p.producedAtMs;
    return null;
  }

  /** Whether frames are being made. */
  get capturing(): boolean {
    return this.clock !== null;
  }

  /**
   * Makes the init segment, connects, and makes frames from `firstFrameAtMs` on, one per
   * frame interval.
   */
  start(firstFrameAtMs: number): void {
    this.produceInit();
    this.clock = new FrameClock(firstFrameAtMs, frameIntervalMs(this.fps));
    this.scheduleFrame(Math.max(0, firstFrameAtMs - this.now()));
    this.connect();
  }

  /** Stops making frames; the connection stays to upload the backlog. */
  stopCapture(): void {
    this.clock = null;
    if (this.frameTimer) clearTimeout(this.frameTimer);
    this.frameTimer = null;
  }

  /**
   * Ends the stream: stops capture and closes with 1000 (the stream becomes `ended`).
   * Resolves once the socket closed (or at once when none is open).
   */
  async close(): Promise<void> {
    this.stopCapture();
    this.closing = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    await closeSocket(this.socket, 'loadgen done');
  }

  /**
   * Cuts the connection as a network failure would (no close handshake): the Sentinel
   * reconnects, resumes its stream and resends what was not acknowledged. For tests and chaos runs.
   */
  dropConnection(): void {
    this.socket?.terminate();
  }

  // ---- media ----

  private produceInit(): void {
    const f = this.o.frames;
    this.enqueue(MediaKind.InitSegment, 0, writeInitSegment({ width: f.width, height: f.height, avcC: f.avcC }));
  }

  private scheduleFrame(waitMs: number): void {
    this.frameTimer = setTimeout(() => this.onFrameTimer(), waitMs);
  }

  private onFrameTimer(): void {
    const clock = this.clock;
    if (!clock) return;
    const poll = clock.poll(this.now());
    if (poll.due) {
      this.o.metrics.sentinel.framesMissed += poll.missed;
      this.produceFrame();
    }
    this.scheduleFrame(poll.waitMs);
  }

  private produceFrame(): void {
    const frames = this.o.frames.frames;
    if (this.firstGopLeft !== null && this.firstGopLeft-- <= 0) {
      this.firstGopLeft = null;
      this.forceSync = true; // the second IDR now: this Sentinel's IDR phase
    }
    if (this.forceSync) {
      this.frameIndex = nextSyncIndex(frames, this.frameIndex);
      this.forceSync = false;
    }
    const frame = frames[this.frameIndex]!;
    this.frameIndex = (this.frameIndex + 1) % frames.length;
    const duration = frameTicks(this.fps);
    const fragment = writeFragment({
      sequenceNumber: this.nextSequence,
      baseMediaDecodeTime: this.mediaTime,
      duration,
      isSync: frame.isSync,
      sample: frame.sample,
      captureTimeMs: this.now(),
    });
    this.mediaTime += duration;
    if (frame.isSync) this.keyframesOnStream++;
    this.o.metrics.sentinel.framesProduced++;
    this.enqueue(MediaKind.Fragment, frame.isSync ? MediaFlags.Join : 0, fragment);
  }

  private enqueue(kind: MediaKind, flags: number, payload: Uint8Array): void {
    const sequence = this.nextSequence++;
    const bytes = encodeMediaMessage({ kind, flags, channel: 0, sequence }, payload);
    const p: Pending = { bytes, producedAtMs: this.now(), lastSentAtMs: null, sends: 0, keyframe: kind === MediaKind.Fragment && (flags & MediaFlags.Join) !== 0 };
    this.backlog.set(sequence, p);
    this.backlogBytes += bytes.length;
    if (this.connected) this.send(p);
  }

  private send(p: Pending): void {
    const ws = this.socket;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(p.bytes);
    p.lastSentAtMs = this.now();
    p.sends++;
    this.bytesSentOnStream += p.bytes.length;
    const c = this.o.metrics.sentinel;
    if (p.sends === 1) {
      c.messagesSent++;
      c.bytesSent += p.bytes.length;
    } else {
      c.resends++;
    }
  }

  /** Drops every message up to `sequence`; with `measure`, records each one's ack latency. */
  private ackUpTo(sequence: number, measure: boolean): void {
    if (sequence >= this.nextSequence) {
      this.o.metrics.error('sentinel', 'ack-of-unsent-sequence');
      return;
    }
    if (sequence > this.lastAcked) this.lastAcked = sequence;
    const now = this.now();
    for (const [s, p] of this.backlog) {
      if (s > sequence) break;
      if (measure && p.lastSentAtMs !== null) this.o.metrics.ackLatency(now - p.lastSentAtMs, s <= 2, p.keyframe);
      this.o.metrics.sentinel.acked++;
      this.backlogBytes -= p.bytes.length;
      this.backlog.delete(s);
    }
  }

  // ---- connection ----

  private connect(): void {
    if (this.closing || this.finished) return;
    const base = this.o.baseUrl;
    const ws = new WebSocket(base.replace(/^http/, 'ws') + SENTINEL_WS_PATH, { headers: { origin: base } });
    this.socket = ws;
    ws.on('open', () => {
      ws.send(
        encodeControl({
          type: 'hello',
          protocol: 1,
          token: this.o.seat.token,
          examId: this.o.seat.examId,
          seatId: this.o.seat.seatId,
          encoder: 'webcodecs',
          userAgent: 'vigil-loadgen',
          capabilities: { encoders: ['webcodecs'] },
          ...(this.streamId ? { streamId: this.streamId } : {}),
        }),
      );
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.o.metrics.error('sentinel', 'unexpected-binary');
        return;
      }
      let message: ServerToSentinelMessage;
      try {
        message = parseServerToSentinel(String(data));
      } catch {
        this.o.metrics.error('sentinel', 'unparsable-message');
        return;
      }
      this.handle(message, ws);
    });
    ws.on('close', () => this.onClose(ws));
    ws.on('error', (e: NodeJS.ErrnoException) => {
      if (!this.closing) this.o.metrics.error('sentinel', `socket-${e.code ?? 'error'}`);
    }); // 'close' follows
  }

  private onClose(ws: WebSocket): void {
    if (this.socket !== ws) return;
    const wasConnected = this.connected;
    this.connected = false;
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = null;
    if (this.closing || this.finished) return;
    if (wasConnected) this.o.metrics.error('sentinel', 'connection-lost');
    this.failedAttempts++;
    this.reconnectTimer = setTimeout(() => this.connect(), backoffMs(this.failedAttempts, this.random()));
  }

  private handle(message: ServerToSentinelMessage, ws: WebSocket): void {
    const c = this.o.metrics.sentinel;
    switch (message.type) {
      case 'welcome': {
        c.welcomes++;
        if (this.welcomedOnce) c.reconnects++;
        this.welcomedOnce = true;
        this.failedAttempts = 0;
        if (this.streamId && message.streamId !== this.streamId) {
          // the server has no trace of our stream: start again at sequence 1 (protocol, Sentinel step 2)
          this.o.metrics.error('sentinel', 'stream-reset');
          c.droppedOnReset += this.backlog.size;
          this.backlog.clear();
          this.backlogBytes = 0;
          this.nextSequence = 1;
          this.lastAcked = 0;
          this.bytesSentOnStream = 0;
          this.keyframesOnStream = 0;
          this.produceInit();
          this.forceSync = true;
        }
        const isNew = this.streamId !== message.streamId;
        this.streamId = message.streamId;
        if (message.lastAckedSequence > 0) this.ackUpTo(message.lastAckedSequence, false);
        if (message.fps !== this.fps) this.changeFps(message.fps);
        this.connected = true;
        for (const p of this.backlog.values()) this.send(p);
        this.statusTimer = setInterval(() => this.sendStatus(ws), STATUS_INTERVAL_MS);
        if (isNew) this.o.onStream?.(message.streamId);
        break;
      }
      case 'ack':
        this.ackUpTo(message.sequence, true);
        break;
      case 'keyframe':
        c.keyframeRequests++;
        this.forceSync = true;
        break;
      case 'set-fps':
        c.setFps++;
        this.changeFps(message.fps);
        break;
      case 'stop':
        this.o.metrics.error('sentinel', `stop-${message.reason}`);
        this.finished = `stop: ${message.reason}`;
        this.stopCapture();
        break;
      case 'error':
        this.o.metrics.error('sentinel', message.code);
        if (FINAL_ERRORS.has(message.code)) {
          this.finished = `${message.code}: ${message.message}`;
          this.stopCapture();
        }
        break;
    }
  }

  /** `set-fps` / `welcome.fps`: the new rate from the next frame on, which is an IDR frame. */
  private changeFps(fps: number): void {
    this.fps = fps;
    this.forceSync = true;
    this.clock?.retime(frameIntervalMs(fps), this.now());
    if (this.clock) {
      if (this.frameTimer) clearTimeout(this.frameTimer);
      this.scheduleFrame(frameIntervalMs(fps));
    }
  }

  private sendStatus(ws: WebSocket): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(
      encodeControl({
        type: 'status',
        fps: this.fps,
        width: this.o.frames.width,
        height: this.o.frames.height,
        encoder: 'webcodecs',
        queueDepth: this.backlog.size,
        queueBytes: this.backlogBytes,
        bytesSent: this.bytesSentOnStream,
        keyframes: this.keyframesOnStream,
      }),
    );
  }
}
