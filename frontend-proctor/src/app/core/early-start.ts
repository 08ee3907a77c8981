/**
 * What the portal starts before Angular boots (main.ts), so that page open → first frame is
 * not a chain of waits (bundle, then the session check, then the page's code, then the
 * socket, then the subscription):
 *
 * - the session check `GET /api/auth/me`, taken over by {@link AuthService} for its first check;
 * - the proctor WebSocket `/ws/proctor` (the session cookie goes with the upgrade; without a
 *   session the server refuses it and the portal connects again once logged in), taken over
 *   by {@link ProctorConnection} when the portal opens its socket; and on a live view's
 *   address the `subscribe` for its stream as soon as that socket is open, whose answer and
 *   media are kept for the live view (`early-hold.ts`), so the join runs while the code loads.
 *
 * Nothing here parses messages: raw WebSocket data is kept until taken over. A socket nobody
 * takes within {@link UNCLAIMED_SOCKET_MS} (the login page, say) is closed. Imports nothing
 * heavy: it is in the initial bundle.
 */
import { earlySubscription } from './early-routes';
import { markOnce } from './perf-marks';

/** The early socket, as {@link takeEarlySocket} hands it over. */
export interface EarlySocket {
  readonly socket: WebSocket;
  /** Raw messages received before it was taken over, in order. */
  readonly received: readonly (string | ArrayBuffer)[];
  /** The stream of the live view's address, or null. */
  readonly streamId: string | null;
  /** `subscribe` for {@link streamId} was sent (the socket opened before it was taken over). */
  readonly subscribed: boolean;
  /**
   * How many of the first messages of {@link received} an early consumer
   * ({@link attachEarlyConsumer}: the early player) had: the taker must not hand the early
   * subscription's messages among them to anyone again.
   */
  readonly consumed: number;
}

/** An early socket not taken over after this long is closed, ms. */
export const UNCLAIMED_SOCKET_MS = 15_000;
/** Most raw messages kept for the taker (the stream list, a join segment). */
const MAX_RECEIVED = 400;

let session: Promise<Response> | null = null;
interface Early {
  socket: WebSocket;
  received: (string | ArrayBuffer)[];
  streamId: string | null;
  subscribed: boolean;
  onMessage: (ev: MessageEvent) => void;
  onOpen: () => void;
  timer: ReturnType<typeof setTimeout>;
  consumer: ((data: string | ArrayBuffer) => void) | null;
  /** Called when the socket closes while the consumer is attached. */
  consumerClosed: (() => void) | null;
  /** Leading messages of `received` the consumer had. */
  consumed: number;
  onClose: () => void;
}
let early: Early | null = null;

/** Starts the session check and the proctor socket for the page at `loc` (once, from main.ts). */
export function startEarly(loc: Pick<Location, 'pathname' | 'search' | 'href'>): void {
  if (session || early) return;
  if (loc.pathname === '/login' || loc.pathname.startsWith('/sentinel')) return;
  if (typeof fetch === 'function') {
    session = fetch('/api/auth/me', { credentials: 'same-origin', headers: { accept: 'application/json' } });
    session.catch(() => undefined); // a failure is seen by the taker, which asks again
  }
  if (typeof WebSocket !== 'function') return;
  const url = new URL('/ws/proctor', loc.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  let socket: WebSocket;
  try {
    socket = new WebSocket(url);
  } catch {
    return;
  }
  socket.binaryType = 'arraybuffer';
  const streamId = earlySubscription(loc.pathname, loc.search);
  const received: (string | ArrayBuffer)[] = [];
  const onMessage = (ev: MessageEvent): void => {
    const data = ev.data as string | ArrayBuffer;
    received.push(data);
    if (e.consumer) {
      e.consumed = received.length;
      e.consumer(data);
    }
    if (received.length > MAX_RECEIVED) {
      const dropped = received.length - MAX_RECEIVED;
      received.splice(0, dropped);
      e.consumed = Math.max(0, e.consumed - dropped);
    }
  };
  const onOpen = (): void => {
    markOnce('vigil:socket-open');
    if (!e.streamId) return;
    // the same message as libs/protocol `subscribe` (view absent: focus), without its validator in this bundle
    socket.send(JSON.stringify({ type: 'subscribe', streamId: e.streamId }));
    markOnce('vigil:subscribe-sent');
    e.subscribed = true;
  };
  const onClose = (): void => {
    const closed = e.consumerClosed;
    e.consumer = null;
    e.consumerClosed = null;
    closed?.();
  };
  const timer = setTimeout(() => {
    if (early !== e) return;
    early = null;
    socket.close(1000, 'not used');
  }, UNCLAIMED_SOCKET_MS);
  const e: Early = { socket, received, streamId, subscribed: false, onMessage, onOpen, timer, consumer: null, consumerClosed: null, consumed: 0, onClose };
  socket.addEventListener('message', onMessage);
  socket.addEventListener('open', onOpen, { once: true });
  socket.addEventListener('close', onClose, { once: true });
  early = e;
}

/**
 * Gives every message of the early socket to `consumer` (the early player, see
 * `early-player.ts`): those received so far at once, in order, then each as it arrives, until
 * {@link detachEarlyConsumer} or until the socket is taken over ({@link takeEarlySocket}, which
 * then says how many it `consumed`).
 * @param closed called if the socket closes first (refused without a session, or dropped)
 * @returns false when there is no open or opening early socket (taken over, given up, closed, never opened)
 */
export function attachEarlyConsumer(consumer: (data: string | ArrayBuffer) => void, closed: () => void): boolean {
  const e = early;
  if (!e || e.consumer || (e.socket.readyState !== WebSocket.CONNECTING && e.socket.readyState !== WebSocket.OPEN)) return false;
  e.consumer = consumer;
  e.consumerClosed = closed;
  e.consumed = e.received.length;
  for (const data of [...e.received]) consumer(data);
  return true;
}

/** Stops giving messages to the early consumer (those after now go to the socket's taker only). */
export function detachEarlyConsumer(): void {
  if (!early) return;
  early.consumer = null;
  early.consumerClosed = null;
}

/**
 * The early session check's response, once (later calls, and callers after a reload of the
 * state, get null and ask themselves).
 */
export function takeEarlySession(): Promise<Response> | null {
  const s = session;
  session = null;
  return s;
}

/**
 * The early socket with what it received so far, once; from then on the taker owns it (and
 * sends the early `subscribe` itself if the socket is not open yet). Null when there is none,
 * or it closed already (refused without a session, or given up).
 */
export function takeEarlySocket(): EarlySocket | null {
  const e = early;
  early = null;
  if (!e) return null;
  clearTimeout(e.timer);
  e.socket.removeEventListener('message', e.onMessage);
  e.socket.removeEventListener('open', e.onOpen);
  e.socket.removeEventListener('close', e.onClose);
  if (e.socket.readyState !== WebSocket.CONNECTING && e.socket.readyState !== WebSocket.OPEN) return null;
  return { socket: e.socket, received: e.received, streamId: e.streamId, subscribed: e.subscribed, consumed: e.consumed };
}
