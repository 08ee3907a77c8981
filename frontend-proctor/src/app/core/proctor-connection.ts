import { Injectable, OnDestroy, signal } from '@angular/core';
import { Observable, Subject } from 'rxjs';
import { encodeControl, type ProctorMessage, type StreamSummary } from '@vigil/protocol';
import { markOnce } from './perf-marks';
import type { ProctorTransport, SocketMessage } from '../player/media-pipeline';
import { decodeSocketData } from '../player/socket-decode';
import { EARLY_CLAIM_TIMEOUT_MS, holdMessage, holdStep, type HoldState } from './early-hold';
import { takeEarlySocket, type EarlySocket } from './early-start';

/** State of the proctor WebSocket. */
export type ConnectionStatus = 'connecting' | 'open' | 'closed';

/** First reconnect delay, ms; doubles up to {@link MAX_RECONNECT_MS}. */
const MIN_RECONNECT_MS = 500;
const MAX_RECONNECT_MS = 10_000;

/** WebSocket close code of a refusal (`auth-required`, `not-allowed`): policy violation. */
const CLOSE_POLICY_VIOLATION = 1008;

/**
 * The portal's one WebSocket to `/ws/proctor` (same origin). Every view shares
 * it: the stream list reads `streams`, each live view subscribes to one stream
 * and gets its media on its own channel. Reconnects by itself with
 * exponential backoff (0.5 s doubling to 10 s).
 *
 * The server takes it only with a session (the httpOnly cookie goes along
 * with the upgrade request), so it is opened by {@link open} once the user is
 * logged in, and {@link close}d on logout. {@link open} first takes over the
 * socket main.ts opened before Angular booted (`early-start.ts`), with what it
 * received; the early subscription of a live view's address is held for
 * {@link claimEarly} (`early-hold.ts`).
 */
@Injectable({ providedIn: 'root' })
export class ProctorConnection implements ProctorTransport, OnDestroy {
  /** Socket state, for the header indicator. */
  readonly status = signal<ConnectionStatus>('connecting');

  private readonly messages = new Subject<SocketMessage>();
  private readonly opens = new Subject<void>();
  private readonly refusals = new Subject<void>();
  private readonly closes = new Subject<void>();
  private socket: WebSocket | null = null;
  private reconnectMs = MIN_RECONNECT_MS;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  /** Not wanted: before {@link open}, after {@link close}. */
  private closed = true;
  /** The early subscription (on the current socket) and its messages, until claimed or given up. */
  private early: { state: HoldState; held: SocketMessage[]; subscribed: boolean; timer: ReturnType<typeof setTimeout> } | null = null;

  /**
   * The last stream list the socket sent (`streams`), for stores created after it arrived;
   * null before the first and after {@link close}.
   */
  latestStreams: readonly StreamSummary[] | null = null;

  /** Every decoded message in arrival order (hot; see {@link decodeSocketData}). */
  readonly messages$: Observable<SocketMessage> = this.messages.asObservable();

  /** Emits at once if the socket is open, then after every (re)connect. */
  readonly opened$: Observable<void> = new Observable<void>((subscriber) => {
    if (this.socket?.readyState === WebSocket.OPEN) subscriber.next();
    return this.opens.subscribe(subscriber);
  });

  /**
   * Emits when the server closed the socket with 1008 (`auth-required`:
   * the session ended; `not-allowed`: an assignment was removed). The socket
   * still reconnects; the owner checks whether the session is still valid.
   */
  readonly refused$: Observable<void> = this.refusals.asObservable();

  /** Emits on {@link close} (logout): state built from this socket belongs to the old session. */
  readonly closed$: Observable<void> = this.closes.asObservable();

  /** Connects (idempotent), taking over the early socket if there is one; from then on reconnects after every drop until {@link close}. */
  open(): void {
    if (!this.closed) return;
    this.closed = false;
    this.reconnectMs = MIN_RECONNECT_MS;
    const early = takeEarlySocket();
    if (early) this.adopt(early);
    else this.connect();
  }

  /**
   * The messages of the subscription to `streamId` sent before the live view existed, once;
   * the caller then owns that subscription (on the current socket: it must not send
   * `subscribe` again until the next (re)connect). Null when there is none for this stream.
   */
  claimEarly(streamId: string): readonly SocketMessage[] | null {
    const e = this.early;
    if (!e || e.state.streamId !== streamId) return null;
    this.dropEarly(false);
    // not open yet: nothing was sent, and the caller subscribes on open as usual
    return e.subscribed && this.socket?.readyState === WebSocket.OPEN ? e.held : null;
  }

  /** Closes the socket and stops reconnecting (idempotent); {@link open} starts again. */
  close(): void {
    this.closed = true;
    this.dropEarly(false);
    this.latestStreams = null;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const ws = this.socket;
    this.socket = null;
    ws?.close(1000, 'logged out');
    this.status.set('connecting');
    this.closes.next();
  }

  /** Sends a control message (validated by `encodeControl`); dropped while not connected. */
  send(message: ProctorMessage): void {
    // someone subscribes to the early stream themselves: the server replaces that subscription
    if (message.type === 'subscribe' && message.streamId === this.early?.state.streamId) this.dropEarly(false);
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(encodeControl(message));
      if (message.type === 'subscribe') markOnce('vigil:subscribe-sent');
    }
  }

  ngOnDestroy(): void {
    this.close();
  }

  private connect(): void {
    if (this.closed) return;
    const url = new URL('/ws/proctor', location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.status.set('connecting');
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    this.attach(ws);
  }

  /**
   * Takes over the early socket: its messages so far are delivered now, its subscription held
   * (but for the messages the early player consumed already: see `early-player.ts`).
   */
  private adopt(early: EarlySocket): void {
    const ws = early.socket;
    if (early.streamId) {
      this.early = {
        state: { streamId: early.streamId, channel: null },
        held: [],
        subscribed: early.subscribed,
        timer: setTimeout(() => this.dropEarly(true), EARLY_CLAIM_TIMEOUT_MS),
      };
    }
    this.attach(ws);
    early.received.forEach((data, i) => this.receive(data, i >= early.consumed));
    if (ws.readyState === WebSocket.OPEN) this.opened();
    else this.status.set('connecting');
  }

  private attach(ws: WebSocket): void {
    this.socket = ws;
    ws.onopen = () => this.opened();
    ws.onmessage = (ev: MessageEvent<string | ArrayBuffer>) => this.receive(ev.data);
    ws.onclose = (ev: CloseEvent) => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.dropEarly(false); // the subscription ended with its socket
      this.status.set('closed');
      if (ev.code === CLOSE_POLICY_VIOLATION) this.refusals.next();
      this.scheduleReconnect();
    };
  }

  private opened(): void {
    markOnce('vigil:socket-open');
    const e = this.early;
    if (e && !e.subscribed) {
      // taken over before it opened: the early subscription is sent now, before anyone hears of the open
      this.socket?.send(encodeControl({ type: 'subscribe', streamId: e.state.streamId }));
      markOnce('vigil:subscribe-sent');
      e.subscribed = true;
    }
    this.reconnectMs = MIN_RECONNECT_MS;
    this.status.set('open');
    this.opens.next();
  }

  /** @param hold whether a message of the early subscription is held for {@link claimEarly} (not when the early player had it) */
  private receive(data: string | ArrayBuffer, hold = true): void {
    const msg = decodeSocketData(data);
    const e = this.early;
    if (e) {
      const [state, held] = holdStep(e.state, msg);
      e.state = state;
      if (held && hold) holdMessage(e.held, msg);
    }
    if (msg.type === 'text' && msg.message.type === 'streams') this.latestStreams = msg.message.streams;
    this.messages.next(msg);
  }

  /** Forgets the early subscription; `unsubscribe`: nobody claimed it, so end it on the server. */
  private dropEarly(unsubscribe: boolean): void {
    const e = this.early;
    if (!e) return;
    this.early = null;
    clearTimeout(e.timer);
    if (unsubscribe && e.state.channel !== null && this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(encodeControl({ type: 'unsubscribe', channel: e.state.channel }));
    }
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer !== null) return;
    const delay = this.reconnectMs;
    this.reconnectMs = Math.min(MAX_RECONNECT_MS, this.reconnectMs * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }
}
