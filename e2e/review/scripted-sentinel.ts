import WebSocket from 'ws';
import { writeFragment, writeInitSegment } from '@vigil/fmp4';
import { MediaFlags, MediaKind, encodeControl, encodeMediaMessage, parseServerToSentinel, type GapReason, type SentinelEventDetail, type SentinelEventKind } from '@vigil/protocol';
import type { EncodedVideo } from '../player/h264-source';

/** One fragment sent: its sequence number, capture time (prft, ms since the Unix epoch) and tfdt (90 kHz ticks). */
export interface SentFrame {
  sequence: number;
  captureMs: number;
  decodeTime: number;
  width: number;
}

/**
 * A Sentinel for the review e2e test whose every step the test scripts: the real wire
 * protocol and real H.264 in real fMP4 (libs/protocol, libs/fmp4), frames sent at the
 * given rate with the wall clock as capture time (prft) and the media time on the same
 * clock since the stream started (as the browser Sentinel's frame clock does), a new init
 * segment at a picture size change, and `gap` notices. One connection, no reconnects:
 * the review test needs a known recording, not fault tolerance (e2e/sentinel-backlog).
 */
export class ScriptedSentinel {
  streamId: string | null = null;
  lastAcked = 0;
  /** Highest `event` seq the server acknowledged (`event-ack`). */
  lastEventAcked = 0;
  readonly frames: SentFrame[] = [];
  private socket: WebSocket | null = null;
  private sequence = 0;
  private startMs = 0;
  private current: EncodedVideo | null = null;
  private welcomed: Promise<void> | null = null;
  private eventSeq = 0;
  /** The page id of this Sentinel's `event` messages. */
  private readonly page = `e2e${Math.random().toString(36).slice(2, 10)}`;

  constructor(private readonly o: { baseUrl: string; token: string; examId: string; seatId: string }) {}

  /** Connects and waits for `welcome`. */
  async connect(): Promise<void> {
    const ws = new WebSocket(this.o.baseUrl.replace(/^http/, 'ws') + '/ws/sentinel', { headers: { origin: this.o.baseUrl } });
    this.socket = ws;
    this.welcomed = new Promise<void>((resolve, reject) => {
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const m = parseServerToSentinel(String(data));
        if (m.type === 'welcome') {
          this.streamId = m.streamId;
          resolve();
        } else if (m.type === 'ack') {
          this.lastAcked = Math.max(this.lastAcked, m.sequence);
        } else if (m.type === 'event-ack') {
          this.lastEventAcked = Math.max(this.lastEventAcked, m.seq);
        } else if (m.type === 'error') {
          reject(new Error(`${m.code}: ${m.message}`));
        }
      });
      ws.on('error', reject);
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send(
      encodeControl({
        type: 'hello',
        protocol: 1,
        token: this.o.token,
        examId: this.o.examId,
        seatId: this.o.seatId,
        encoder: 'webcodecs',
        userAgent: 'vigil-e2e-review-sentinel',
        capabilities: { encoders: ['webcodecs'] },
      }),
    );
    await this.welcomed;
    this.startMs = Date.now();
  }

  /** Sends an init segment for `video` (a new picture size: a new init segment, as the browser Sentinel does). */
  sendInit(video: EncodedVideo): void {
    this.current = video;
    const sequence = ++this.sequence;
    this.socket!.send(
      encodeMediaMessage({ kind: MediaKind.InitSegment, flags: 0, channel: 0, sequence }, writeInitSegment({ width: video.width, height: video.height, avcC: video.avcC })),
    );
  }

  /** Sends `count` frames of the current video at `fps`, in real time; capture time = now, media time = now − start. */
  async sendFrames(count: number, fps: number): Promise<void> {
    const video = this.current!;
    const duration = Math.round(90_000 / fps);
    let next = Date.now();
    for (let i = 0; i < count; i++) {
      const frame = video.frames[i % video.frames.length]!;
      const captureMs = Date.now();
      const decodeTime = Math.max(Math.round((captureMs - this.startMs) * 90), (this.frames.at(-1)?.decodeTime ?? -duration) + duration);
      const sequence = ++this.sequence;
      this.socket!.send(
        encodeMediaMessage(
          { kind: MediaKind.Fragment, flags: frame.isSync ? MediaFlags.Join : 0, channel: 0, sequence },
          writeFragment({ sequenceNumber: sequence, baseMediaDecodeTime: decodeTime, duration, isSync: frame.isSync, sample: frame.sample, captureTimeMs: captureMs }),
        ),
      );
      this.frames.push({ sequence, captureMs, decodeTime, width: video.width });
      next += 1000 / fps;
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    }
  }

  /** Tells the server that no frames exist for `[fromMs, toMs]` and why. */
  sendGap(fromMs: number, toMs: number, reason: GapReason): void {
    this.socket!.send(encodeControl({ type: 'gap', fromMs, toMs, reason }));
  }

  /**
   * Sends an `event` (libs/protocol `eventSchema`) that happened at `atMs` (capture clock) and
   * waits for its `event-ack`.
   */
  async sendEvent(kind: SentinelEventKind, atMs: number, detail?: SentinelEventDetail, timeoutMs = 10_000): Promise<void> {
    const seq = ++this.eventSeq;
    this.socket!.send(encodeControl({ type: 'event', page: this.page, seq, kind, atMs: Math.round(atMs), ...(detail ? { detail } : {}) }));
    const deadline = Date.now() + timeoutMs;
    while (this.lastEventAcked < seq) {
      if (Date.now() > deadline) throw new Error(`event ${seq} (${kind}) not acknowledged`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Waits until the server acknowledged everything sent (durable on disk). */
  async drained(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.lastAcked < this.sequence) {
      if (Date.now() > deadline) throw new Error(`only ${this.lastAcked} of ${this.sequence} messages acknowledged`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.socket?.close();
  }
}
