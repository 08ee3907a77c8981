import { Injectable, OnDestroy, signal } from '@angular/core';
import { Observable, Subject } from 'rxjs';
import { encodeControl, type ProctorMessage } from '@vigil/protocol';
import { decodeSocketData, type ProctorTransport, type SocketMessage } from '../player/segment-pipeline';

/** State of the proctor WebSocket. */
export type ConnectionStatus = 'connecting' | 'open' | 'closed';

/** First reconnect delay, ms; doubles up to {@link MAX_RECONNECT_MS}. */
const MIN_RECONNECT_MS = 500;
const MAX_RECONNECT_MS = 10_000;

/**
 * The portal's one WebSocket to `/ws/proctor` (same origin). Every view shares
 * it: the stream list reads `streams`, each live view subscribes to one stream
 * and gets its media on its own channel. Reconnects by itself with
 * exponential backoff (0.5 s doubling to 10 s).
 */
@Injectable({ providedIn: 'root' })
export class ProctorConnection implements ProctorTransport, OnDestroy {
  /** Socket state, for the header indicator. */
  readonly status = signal<ConnectionStatus>('connecting');

  private readonly messages = new Subject<SocketMessage>();
  private readonly opens = new Subject<void>();
  private socket: WebSocket | null = null;
  private reconnectMs = MIN_RECONNECT_MS;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  /** Every decoded message in arrival order (hot; see {@link decodeSocketData}). */
  readonly messages$: Observable<SocketMessage> = this.messages.asObservable();

  /** Emits at once if the socket is open, then after every (re)connect. */
  readonly opened$: Observable<void> = new Observable<void>((subscriber) => {
    if (this.socket?.readyState === WebSocket.OPEN) subscriber.next();
    return this.opens.subscribe(subscriber);
  });

  constructor() {
    this.connect();
  }

  /** Sends a control message (validated by `encodeControl`); dropped while not connected. */
  send(message: ProctorMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(encodeControl(message));
  }

  ngOnDestroy(): void {
    this.closed = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.socket?.close(1000, 'portal closed');
    this.socket = null;
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
    ws.onclose = () => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.status.set('closed');
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
