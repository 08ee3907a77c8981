import WebSocket from 'ws';
import { writeFragment, writeInitSegment } from '@vigil/fmp4';
import { MediaFlags, MediaKind, encodeControl, encodeMediaMessage, parseServerToSentinel, type ServerToSentinelMessage } from '@vigil/protocol';
import type { EncodedVideo } from '../player/h264-source';

/** Where a {@link NodeSentinel} connects and as which seat. */
export interface NodeSentinelOptions {
  /** Server base URL, `http://127.0.0.1:PORT` (the socket is `ws://…/ws/sentinel`). */
  baseUrl: string;
  token: string;
  examId: string;
  seatId: string;
  /** Real H.264 (ffmpeg testsrc, see player/h264-source.ts); frames are looped, so its length must be a multiple of its GOP. */
  video: EncodedVideo;
  /** Frames per second produced, whether connected or not (as the real Sentinel captures offline). */
  fps: number;
  /** Delay before a reconnect, ms (default 250). */
  reconnectDelayMs?: number;
  /** Send `hello.uploadOnly` (backlog upload after capture ended). */
  uploadOnly?: boolean;
  /**
   * Answer the server's `keyframe` requests as the browser Sentinel does: a join fragment at
   * once (the clip's next IDR, skipping ahead in it), with media time from the wall clock
   * (90 kHz ticks since start), so a viewer that asked for one does not wait for the clip's
   * next IDR. Default false: frames follow the clip and media time counts frames.
   */
  answerKeyframeRequests?: boolean;
}

/**
 * A Sentinel in Node for fault-injection tests: the real wire protocol (libs/protocol) over a
 * real WebSocket, real H.264 in real fMP4 fragments (libs/fmp4), one fragment per frame at
 * `fps`, produced on a timer whether or not the server is reachable. Like the browser
 * Sentinel it keeps every unacknowledged message, reconnects after any close, resumes its
 * stream with `hello.streamId`, drops what `welcome.lastAckedSequence` covers and resends the
 * rest in order. It records what the server said, for the test to check.
 */
export class NodeSentinel {
  streamId: string | null = null;
  /** Unacknowledged messages by sequence number. */
  readonly backlog = new Map<number, Uint8Array>();
  /** Highest sequence number the server acknowledged (cumulative). */
  lastAcked = 0;
  /** Every acknowledged sequence number's highest value, with the time it came. */
  readonly acks: { sequence: number; atMs: number }[] = [];
  readonly welcomes: { atMs: number; streamId: string; lastAckedSequence: number }[] = [];
  readonly errors: { code: string; message: string; atMs: number }[] = [];
  readonly closes: { code: number; atMs: number }[] = [];
  /** Sequence number of the next message produced. */
  private nextSequence = 1;
  /** Frames (fragments) produced so far. */
  framesProduced = 0;
  private socket: WebSocket | null = null;
  private connected = false;
  private producer: ReturnType<typeof setInterval> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** Frames of the clip skipped to reach an IDR on request (answerKeyframeRequests). */
  private clipOffset = 0;
  private startedAtMs = 0;
  private lastDecodeTime = -1;

  constructor(private readonly options: NodeSentinelOptions) {}

  /** Starts producing frames and connecting. */
  start(): void {
    this.startedAtMs = Date.now();
    this.produceInit();
    this.producer = setInterval(() => this.produceFrame(), 1000 / this.options.fps);
    this.connect();
  }

  /** Stops producing frames (capture ended); the connection stays to drain the backlog. */
  stopCapture(): void {
    if (this.producer) clearInterval(this.producer);
    this.producer = null;
  }

  /** Produces frames again after {@link stopCapture} (a capture that stalled and came back). */
  resumeCapture(): void {
    if (this.stopped || this.producer) return;
    this.producer = setInterval(() => this.produceFrame(), 1000 / this.options.fps);
  }

  /** Stops everything. Idempotent. */
  stop(): void {
    this.stopped = true;
    this.stopCapture();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.socket?.terminate();
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Highest sequence number produced. */
  get lastProduced(): number {
    return this.nextSequence - 1;
  }

  private produceInit(): void {
    const v = this.options.video;
    this.enqueue(encodeMediaMessage({ kind: MediaKind.InitSegment, flags: 0, channel: 0, sequence: this.nextSequence }, writeInitSegment({ width: v.width, height: v.height, avcC: v.avcC })));
  }

  private produceFrame(keyframe = false): void {
    const v = this.options.video;
    const i = this.framesProduced++;
    let c = (i + this.clipOffset) % v.frames.length;
    if (keyframe) {
      let skip = 0;
      while (!v.frames[(c + skip) % v.frames.length].isSync) skip++;
      this.clipOffset += skip;
      c = (c + skip) % v.frames.length;
    }
    const frame = v.frames[c];
    const duration = Math.round(90_000 / this.options.fps);
    const decodeTime = this.options.answerKeyframeRequests ? Math.max(this.lastDecodeTime + 1, Math.round((Date.now() - this.startedAtMs) * 90)) : i * duration;
    this.lastDecodeTime = decodeTime;
    const sequence = this.nextSequence;
    this.enqueue(
      encodeMediaMessage(
        { kind: MediaKind.Fragment, flags: frame.isSync ? MediaFlags.Join : 0, channel: 0, sequence },
        writeFragment({ sequenceNumber: sequence, baseMediaDecodeTime: decodeTime, duration, isSync: frame.isSync, sample: frame.sample, captureTimeMs: Date.now() }),
      ),
    );
  }

  private enqueue(message: Uint8Array): void {
    const sequence = this.nextSequence++;
    this.backlog.set(sequence, message);
    if (this.connected) this.socket?.send(message);
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.options.baseUrl.replace(/^http/, 'ws') + '/ws/sentinel', { headers: { origin: this.options.baseUrl } });
    this.socket = ws;
    ws.on('open', () => {
      ws.send(
        encodeControl({
          type: 'hello',
          protocol: 1,
          token: this.options.token,
          examId: this.options.examId,
          seatId: this.options.seatId,
          encoder: 'webcodecs',
          userAgent: 'vigil-e2e-node-sentinel',
          capabilities: { encoders: ['webcodecs'] },
          ...(this.streamId ? { streamId: this.streamId } : {}),
          ...(this.options.uploadOnly ? { uploadOnly: true } : {}),
        }),
      );
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.handle(parseServerToSentinel(String(data)), ws);
    });
    ws.on('close', (code) => {
      if (this.socket !== ws) return;
      this.connected = false;
      this.closes.push({ code, atMs: Date.now() });
      if (!this.stopped) this.reconnectTimer = setTimeout(() => this.connect(), this.options.reconnectDelayMs ?? 250);
    });
    ws.on('error', () => undefined); // 'close' follows
  }

  private handle(message: ServerToSentinelMessage, ws: WebSocket): void {
    const now = Date.now();
    if (message.type === 'welcome') {
      this.welcomes.push({ atMs: now, streamId: message.streamId, lastAckedSequence: message.lastAckedSequence });
      if (this.streamId && message.streamId !== this.streamId) {
        this.errors.push({ code: 'stream-reset', message: `the server started stream ${message.streamId} instead of resuming ${this.streamId}`, atMs: now });
      }
      this.streamId = message.streamId;
      this.ackUpTo(message.lastAckedSequence);
      for (const [, m] of [...this.backlog.entries()].sort((a, b) => a[0] - b[0])) ws.send(m);
      this.connected = true;
    } else if (message.type === 'ack') {
      this.acks.push({ sequence: message.sequence, atMs: now });
      this.ackUpTo(message.sequence);
    } else if (message.type === 'keyframe' && this.options.answerKeyframeRequests && this.producer) {
      this.produceFrame(true);
    } else if (message.type === 'error') {
      this.errors.push({ code: message.code, message: message.message, atMs: now });
    }
  }

  private ackUpTo(sequence: number): void {
    if (sequence > this.lastAcked) this.lastAcked = sequence;
    for (const s of [...this.backlog.keys()]) if (s <= sequence) this.backlog.delete(s);
  }
}

/** The seat token of a kiosk URL (`#token=…`, or `?token=…` from older servers). */
export function tokenOfKioskUrl(kioskUrl: string): string {
  const url = new URL(kioskUrl);
  return new URLSearchParams(url.hash.replace(/^#/, '')).get('token') ?? url.searchParams.get('token') ?? '';
}

/** Waits until `check()` holds, polling every 20 ms. @throws Error naming `what` after `timeoutMs` */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
