import { Injectable, OnDestroy, signal } from '@angular/core';
import { Observable, Subject } from 'rxjs';
import { encodeControl, type ProctorMessage } from '@vigil/protocol';
import { decodeSocketData, type ProctorTransport, type SocketMessage } from '../player/media-pipeline';

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
 * logged in, and {@link close}d on logout.
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

  /** Connects (idempotent); from then on reconnects after every drop until {@link close}. */
  open(): void {
    if (!this.closed) return;
    this.closed = false;
    this.reconnectMs = MIN_RECONNECT_MS;
    this.connect();
  }

  /** Closes the socket and stops reconnecting (idempotent); {@link open} starts again. */
  close(): void {
    this.closed = true;
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
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(encodeControl(message));
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
    this.socket = ws;
    ws.onopen = () => {
      this.reconnectMs = MIN_RECONNECT_MS;
      this.status.set('open');
      this.opens.next();
    };
    ws.onmessage = (ev: MessageEvent<string | ArrayBuffer>) => this.messages.next(decodeSocketData(ev.data));
    ws.onclose = (ev: CloseEvent) => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.status.set('closed');
      if (ev.code === CLOSE_POLICY_VIOLATION) this.refusals.next();
      this.scheduleReconnect();
    };
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
