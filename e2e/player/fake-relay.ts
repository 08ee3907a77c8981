import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { VIDEO_TIMESCALE, writeFragment, writeInitSegment } from '@vigil/fmp4';
import {
  MediaFlags,
  MediaKind,
  encodeControl,
  encodeMediaMessage,
  parseProctorMessage,
  type ServerToProctorMessage,
  type StreamSummary,
} from '@vigil/protocol';
import type { EncodedVideo } from './h264-source';

/** One produced frame: a fragment with a prft capture time of "now". */
export interface ProducedFragment {
  index: number;
  sequence: number;
  join: boolean;
  captureTimeMs: number;
  bytes: Uint8Array;
}

/**
 * A simulated Sentinel stream: produces one fragment per frame at `fps`, on a
 * wall-clock schedule, looping over the encoded frames (the loop length is a
 * multiple of the GOP, so every loop starts at an IDR). Media time runs on:
 * frame i has tfdt = i * 90000 / fps.
 */
export class FakeStream {
  readonly startedAtMs = Date.now();
  readonly init: Uint8Array;
  /** Fragments from the latest join fragment on (what a joining viewer gets first). */
  gop: ProducedFragment[] = [];
  lastFragmentAtMs: number | null = null;
  bytesReceived = 0;
  private readonly recent: { atMs: number; bytes: number }[] = [];
  private readonly listeners = new Set<(f: ProducedFragment) => void>();
  private next = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly durationTicks: number;

  constructor(
    readonly streamId: string,
    readonly examId: string,
    readonly seatId: string,
    readonly video: EncodedVideo,
    readonly fps: number,
  ) {
    this.init = writeInitSegment({ width: video.width, height: video.height, avcC: video.avcC });
    this.durationTicks = Math.round(VIDEO_TIMESCALE / fps);
  }

  start(): void {
    this.produce();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Calls `fn` for every new fragment; returns the unsubscribe function. */
  onFragment(fn: (f: ProducedFragment) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  summary(viewers: number): StreamSummary {
    const now = Date.now();
    while (this.recent.length > 0 && now - this.recent[0]!.atMs > 5000) this.recent.shift();
    const bits = this.recent.reduce((n, r) => n + r.bytes * 8, 0);
    return {
      streamId: this.streamId,
      examId: this.examId,
      seatId: this.seatId,
      state: 'live',
      encoder: 'webcodecs',
      codec: this.video.codec,
      width: this.video.width,
      height: this.video.height,
      fps: this.fps,
      startedAtMs: this.startedAtMs,
      lastFragmentAtMs: this.lastFragmentAtMs,
      bytesReceived: this.bytesReceived,
      bitrateBps: Math.round(bits / 5),
      viewers,
    };
  }

  private produce(): void {
    const i = this.next++;
    const src = this.video.frames[i % this.video.frames.length]!;
    const captureTimeMs = Date.now();
    const bytes = writeFragment({
      sequenceNumber: i + 2, // sequence 1 is the init segment
      baseMediaDecodeTime: i * this.durationTicks,
      duration: this.durationTicks,
      isSync: src.isSync,
      sample: src.sample,
      captureTimeMs,
    });
    const f: ProducedFragment = { index: i, sequence: i + 2, join: src.isSync, captureTimeMs, bytes };
    if (f.join) this.gop = [f];
    else this.gop.push(f);
    this.lastFragmentAtMs = captureTimeMs;
    this.bytesReceived += bytes.byteLength;
    this.recent.push({ atMs: captureTimeMs, bytes: bytes.byteLength });
    for (const fn of this.listeners) fn(f);
    const due = this.startedAtMs + ((i + 1) * 1000) / this.fps;
    this.timer = setTimeout(() => this.produce(), Math.max(0, due - Date.now()));
  }
}

/** What the relay saw of one subscription. */
export interface SubscriptionRecord {
  channel: number;
  streamId: string;
  /** Sequence and JOIN flag of the first fragment sent on the channel. */
  firstSequence: number | null;
  firstJoin: boolean | null;
  /** Fragments sent on the channel. */
  sent: number;
  unsubscribed: boolean;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * A tiny stand-in for the Vigil server, just enough for the proctor portal:
 * serves the built portal from `/` (SPA fallback to index.html), answers
 * `GET /api/streams` and the few control-API reads the portal makes (the
 * session is an admin's: `GET /api/auth/me`), and speaks the proctor protocol on `/ws/proctor`
 * (`streams` on connect and every second, `subscribe` -> `subscribed` + init
 * segment + the buffered GOP (REPLAY) + live fragments, `unsubscribe`).
 */
export class FakeRelay {
  readonly subscriptions: SubscriptionRecord[] = [];
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private nextChannel = 1;
  private viewers = new Map<string, number>();
  private broadcastTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly webRoot: string,
    private readonly streams: FakeStream[],
  ) {}

  async start(port: number): Promise<string> {
    this.server = createServer((req, res) => this.http(req, res));
    this.wss = new WebSocketServer({ server: this.server, path: '/ws/proctor' });
    this.wss.on('connection', (ws) => this.onConnection(ws));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.broadcastTimer = setInterval(() => this.broadcastStreams(), 1000);
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    if (this.broadcastTimer) clearInterval(this.broadcastTimer);
    for (const ws of this.wss?.clients ?? []) ws.terminate();
    await new Promise((r) => this.wss?.close(r));
    await new Promise((r) => this.server?.close(r));
  }

  /** Cuts every proctor WebSocket (as a network blip or a server restart would). */
  dropConnections(): void {
    for (const ws of this.wss?.clients ?? []) ws.terminate();
  }

  private summaries(): StreamSummary[] {
    return this.streams.map((s) => s.summary(this.viewers.get(s.streamId) ?? 0));
  }

  private broadcastStreams(): void {
    const text = encodeControl({ type: 'streams', streams: this.summaries() });
    for (const ws of this.wss?.clients ?? []) ws.send(text);
  }

  private onConnection(ws: WebSocket): void {
    const send = (m: ServerToProctorMessage) => ws.send(encodeControl(m));
    const subs = new Map<number, { stop: () => void; record: SubscriptionRecord }>();
    send({ type: 'streams', streams: this.summaries() });

    const media = (kind: MediaKind, flags: number, channel: number, sequence: number, payload: Uint8Array) =>
      ws.send(encodeMediaMessage({ kind, flags, channel, sequence }, payload), { binary: true });

    ws.on('message', (data, isBinary) => {
      let msg;
      try {
        if (isBinary) throw new Error('proctors send no binary messages');
        msg = parseProctorMessage(String(data));
      } catch (err) {
        send({ type: 'error', code: 'bad-message', message: String(err), fatal: false });
        return;
      }
      if (msg.type === 'subscribe') {
        const stream = this.streams.find((s) => s.streamId === msg.streamId);
        if (!stream) {
          send({ type: 'error', code: 'unknown-stream', message: `no stream ${msg.streamId}`, fatal: false });
          return;
        }
        const channel = this.nextChannel++;
        const record: SubscriptionRecord = { channel, streamId: stream.streamId, firstSequence: null, firstJoin: null, sent: 0, unsubscribed: false };
        this.subscriptions.push(record);
        const sendFragment = (f: ProducedFragment, replay: boolean) => {
          if (record.firstSequence === null) {
            record.firstSequence = f.sequence;
            record.firstJoin = f.join;
          }
          record.sent++;
          media(MediaKind.Fragment, (f.join ? MediaFlags.Join : 0) | (replay ? MediaFlags.Replay : 0), channel, f.sequence, f.bytes);
        };
        const v = stream.video;
        send({ type: 'subscribed', streamId: stream.streamId, channel, codec: v.codec, width: v.width, height: v.height });
        media(MediaKind.InitSegment, MediaFlags.Replay, channel, 1, stream.init);
        for (const f of stream.gop) sendFragment(f, true);
        const stop = stream.onFragment((f) => sendFragment(f, false));
        subs.set(channel, { stop, record });
        this.viewers.set(stream.streamId, (this.viewers.get(stream.streamId) ?? 0) + 1);
        this.broadcastStreams();
      } else {
        const sub = subs.get(msg.channel);
        if (!sub) return;
        this.endSubscription(sub);
        subs.delete(msg.channel);
        send({ type: 'unsubscribed', channel: msg.channel, reason: 'requested' });
        this.broadcastStreams();
      }
    });
    ws.on('close', () => {
      for (const sub of subs.values()) this.endSubscription(sub);
      subs.clear();
    });
  }

  /**
   * The few control-API answers the portal asks for (docs/control-api.md): the
   * session (an admin, so every page is open), the exams and seats the
   * streams name, and the streams. Undefined = 404.
   */
  private api(pathName: string): unknown {
    const now = Date.now();
    const exam = (id: string) => ({ id, name: id, startsAtMs: now - 3_600_000, endsAtMs: now + 3_600_000, defaultFps: 1, retentionDays: 30, createdAtMs: 0, updatedAtMs: 0 });
    const examIds = [...new Set(this.streams.map((s) => s.examId))];
    if (pathName === '/api/auth/me') {
      const user = { id: 'admin', email: 'admin@fake-relay.test', role: 'admin', displayName: 'Admin', disabled: false, mustChangePassword: false, createdAtMs: 0, examIds: [] };
      return { user, via: 'session', mustChangePassword: false };
    }
    if (pathName === '/api/streams') return this.summaries();
    if (pathName === '/api/exams') return examIds.map(exam);
    const parts = pathName.split('/').slice(2).map(decodeURIComponent); // ['streams', id] | ['exams', id, 'seats', seatId]
    if (parts[0] === 'streams' && parts.length === 2) return this.summaries().find((s) => s.streamId === parts[1]);
    if (parts[0] === 'streams' && parts.length === 3 && parts[2] === 'stats') {
      // the live view's "Capture → server": this relay measures nothing (figures with count 0)
      const summary = this.summaries().find((s) => s.streamId === parts[1]);
      const none = { count: 0, min: null, avg: null, max: null };
      return summary && { streamId: summary.streamId, examId: summary.examId, seatId: summary.seatId, state: summary.state, atMs: now, fragmentAgeMs: none, ackLatencyMs: none, viewerCount: summary.viewers, viewers: [] };
    }
    if (parts[0] === 'exams' && examIds.includes(parts[1]!)) {
      if (parts.length === 2) return exam(parts[1]!);
      const stream = this.streams.find((s) => s.examId === parts[1] && s.seatId === parts[3]);
      if (parts[2] === 'seats' && parts.length === 4 && stream) {
        return {
          id: stream.seatId, examId: stream.examId, studentId: stream.seatId, displayName: `Seat ${stream.seatId}`, createdAtMs: 0, updatedAtMs: 0,
          status: 'streaming', lastSeenAtMs: stream.lastFragmentAtMs, liveStreamId: stream.streamId,
        };
      }
    }
    return undefined;
  }

  private endSubscription(sub: { stop: () => void; record: SubscriptionRecord }): void {
    sub.stop();
    sub.record.unsubscribed = true;
    this.viewers.set(sub.record.streamId, Math.max(0, (this.viewers.get(sub.record.streamId) ?? 1) - 1));
  }

  private http(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/api/')) {
      const found = this.api(url.pathname);
      res.writeHead(found === undefined ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(found ?? { statusCode: 404, message: 'not found' }));
      return;
    }
    const file = path.resolve(this.webRoot, '.' + decodeURIComponent(url.pathname));
    const inRoot = file.startsWith(this.webRoot + path.sep);
    if (inRoot && existsSync(file) && statSync(file).isFile()) {
      res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
    } else if (!path.extname(url.pathname)) {
      // SPA fallback: Angular's router handles /streams/:id
      res.writeHead(200, { 'content-type': MIME['.html']! });
      res.end(readFileSync(path.join(this.webRoot, 'index.html')));
    } else {
      res.writeHead(404).end();
    }
  }
}
