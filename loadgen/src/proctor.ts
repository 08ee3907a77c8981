/**
 * A synthetic proctor (I/O): a logged-in session's WebSocket to `/ws/proctor` (session cookie
 * and this server's Origin, as the portal), subscriptions to streams, and the media read as
 * the player would: every fragment parsed with @vigil/fmp4, delivery latency = receive time −
 * `prft` capture time for live (non-REPLAY) fragments, and sequence numbers checked per
 * channel (a gap is the server skipping a slow viewer to the next join fragment).
 * Reconnects and resubscribes after a lost connection; subscribes again after `too-slow`.
 */
import WebSocket from 'ws';
import { parseFragment } from '@vigil/fmp4';
import {
  MediaFlags,
  MediaKind,
  PROCTOR_WS_PATH,
  decodeMediaMessage,
  encodeControl,
  hasMediaFlag,
  parseServerToProctor,
  type ServerToProctorMessage,
} from '@vigil/protocol';
import { preciseNowMs } from './clock';
import type { RunMetrics } from './metrics';
import type { ViewMode } from './watch-plan';
import { backoffMs } from './pacing';
import { closeSocket } from './close-socket';

/** How a {@link SyntheticProctor} connects. */
export interface SyntheticProctorOptions {
  /** `http://host:port`. */
  baseUrl: string;
  /** `vigil_session=…` of a logged-in proctor. */
  cookie: string;
  metrics: RunMetrics;
  /** `subscribe.view`: `tile` keeps the exam's frame rate, `focus` raises the stream to the server's focus rate. */
  view: ViewMode;
  /** Clock, ms since the Unix epoch (default {@link preciseNowMs}). */
  now?: () => number;
  /** Random numbers in [0, 1) for back-off jitter (default Math.random). */
  random?: () => number;
}

/** One open subscription. */
interface Channel {
  streamId: string;
  /** Sequence of the last message since `subscribed` (null until the first fragment: the init before it may be far behind a live join). */
  lastSequence: number | null;
}

export class SyntheticProctor {
  /** Got its first `streams` list and not closed. */
  connected = false;
  /** Streams to watch (subscribed on every connect). */
  private readonly watching = new Set<string>();
  private readonly channels = new Map<number, Channel>();
  private socket: WebSocket | null = null;
  private failedAttempts = 0;
  private closing = false;
  private connectedOnce = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly o: SyntheticProctorOptions) {
    this.now = o.now ?? preciseNowMs;
    this.random = o.random ?? Math.random;
  }

  /** Streams this proctor watches. */
  get streams(): number {
    return this.watching.size;
  }

  /** Opens the connection (and keeps it open until {@link close}). */
  start(): void {
    this.connect();
  }

  /** Watches `streamId` from now on (subscribes at once when connected). */
  watch(streamId: string): void {
    if (this.watching.has(streamId)) return;
    this.watching.add(streamId);
    if (this.connected) this.subscribe(streamId);
  }

  /** Stops watching `streamId` (a Sentinel's stream was replaced). */
  unwatch(streamId: string): void {
    this.watching.delete(streamId);
    for (const [channel, c] of this.channels) {
      if (c.streamId !== streamId) continue;
      this.channels.delete(channel);
      this.sendControl({ type: 'unsubscribe', channel });
    }
  }

  /** Closes with 1000. Resolves once the socket closed. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await closeSocket(this.socket, 'loadgen done');
  }

  private connect(): void {
    if (this.closing) return;
    const base = this.o.baseUrl;
    const ws = new WebSocket(base.replace(/^http/, 'ws') + PROCTOR_WS_PATH, { headers: { origin: base, cookie: this.o.cookie } });
    this.socket = ws;
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) this.onMedia(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      else this.onControl(String(data));
    });
    ws.on('close', () => this.onClose(ws));
    ws.on('error', (e: NodeJS.ErrnoException) => {
      if (!this.closing) this.o.metrics.error('proctor', `socket-${e.code ?? 'error'}`);
    });
  }

  private onClose(ws: WebSocket): void {
    if (this.socket !== ws) return;
    const wasConnected = this.connected;
    this.connected = false;
    this.channels.clear();
    if (this.closing) return;
    if (wasConnected) this.o.metrics.error('proctor', 'connection-lost');
    this.failedAttempts++;
    this.reconnectTimer = setTimeout(() => this.connect(), backoffMs(this.failedAttempts, this.random()));
  }

  private onControl(text: string): void {
    let message: ServerToProctorMessage;
    try {
      message = parseServerToProctor(text);
    } catch {
      this.o.metrics.error('proctor', 'unparsable-message');
      return;
    }
    const c = this.o.metrics.proctor;
    switch (message.type) {
      case 'streams':
        if (!this.connected) {
          this.connected = true;
          c.connects++;
          if (this.connectedOnce) c.reconnects++;
          this.connectedOnce = true;
          this.failedAttempts = 0;
          for (const id of this.watching) this.subscribe(id);
        }
        break;
      case 'subscribed':
        c.subscriptions++;
        if (this.watching.has(message.streamId)) this.channels.set(message.channel, { streamId: message.streamId, lastSequence: null });
        break;
      case 'unsubscribed': {
        const channel = this.channels.get(message.channel);
        this.channels.delete(message.channel);
        if (message.reason === 'too-slow') c.tooSlow++;
        else if (message.reason !== 'requested' && message.reason !== 'stream-ended') this.o.metrics.error('proctor', `unsubscribed-${message.reason}`);
        // a slow viewer may subscribe again (protocol, Proctor step 6)
        if (channel && message.reason === 'too-slow' && this.watching.has(channel.streamId)) this.subscribe(channel.streamId);
        break;
      }
      case 'error':
        this.o.metrics.error('proctor', message.code);
        break;
    }
  }

  private onMedia(data: Uint8Array): void {
    const received = this.now();
    const c = this.o.metrics.proctor;
    let header;
    let payload;
    try {
      ({ header, payload } = decodeMediaMessage(data, { direction: 'server-to-proctor' }));
    } catch {
      this.o.metrics.error('proctor', 'bad-media-message');
      return;
    }
    c.bytes += data.length;
    const channel = this.channels.get(header.channel);
    if (!channel) return; // still in flight after an unsubscribe, or not ours
    const replay = hasMediaFlag(header.flags, MediaFlags.Replay);
    if (header.kind === MediaKind.InitSegment) {
      c.initSegments++;
      if (channel.lastSequence !== null) this.checkSequence(channel, header.sequence);
      return;
    }
    c.fragments++;
    this.checkSequence(channel, header.sequence);
    let captureTimeMs: number | null;
    try {
      captureTimeMs = parseFragment(payload).captureTimeMs;
    } catch {
      this.o.metrics.error('proctor', 'bad-fragment');
      return;
    }
    if (replay) return; // from the server's buffer: old by design
    c.liveFragments++;
    if (captureTimeMs === null) this.o.metrics.error('proctor', 'fragment-without-prft');
    else this.o.metrics.relayLatency(received - captureTimeMs);
  }

  private checkSequence(channel: Channel, sequence: number): void {
    const last = channel.lastSequence;
    if (last !== null) {
      if (sequence > last + 1) this.o.metrics.proctor.skippedSequences += sequence - last - 1;
      else if (sequence <= last) this.o.metrics.proctor.outOfOrder++;
    }
    channel.lastSequence = sequence;
  }

  private subscribe(streamId: string): void {
    this.sendControl({ type: 'subscribe', streamId, view: this.o.view });
  }

  private sendControl(message: { type: 'subscribe'; streamId: string; view: ViewMode } | { type: 'unsubscribe'; channel: number }): void {
    const ws = this.socket;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(encodeControl(message));
  }
}
