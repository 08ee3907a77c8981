import type { WebSocket } from 'ws';

/**
 * Connection hygiene for the WebSocket gateways: WebSocket Ping/Pong heartbeats (RFC 6455
 * §5.5.2, §5.5.3) that find half-open connections, and connection caps. Browsers answer a
 * Ping with a Pong by themselves, so clients need no application-level heartbeat; the
 * Sentinel's own silence watchdog covers the other direction.
 */

/** Heartbeat timing, ms. */
export interface HeartbeatOptions {
  /** How often a Ping goes out (default 10 s). */
  intervalMs: number;
  /** A connection whose last Pong is older than this is dead (default 20 s). Half-open detection takes at most timeout + interval. */
  timeoutMs: number;
}

/**
 * Pings `socket` every `intervalMs`; when no Pong (nor any message) came for `timeoutMs`,
 * calls `onDead` once and terminates the socket (no closing handshake: the peer is gone).
 * Stops by itself when the socket closes.
 */
export function startHeartbeat(socket: WebSocket, options: HeartbeatOptions, onDead: (silentMs: number) => void): void {
  let lastHeardAt = Date.now();
  const heard = () => (lastHeardAt = Date.now());
  socket.on('pong', heard);
  socket.on('message', heard);
  const timer = setInterval(() => {
    const silentMs = Date.now() - lastHeardAt;
    if (silentMs > options.timeoutMs) {
      clearInterval(timer);
      try {
        onDead(silentMs);
      } finally {
        socket.terminate();
      }
      return;
    }
    if (socket.readyState === 1 /* OPEN */) socket.ping();
  }, options.intervalMs);
  timer.unref?.();
  socket.once('close', () => clearInterval(timer));
}

/**
 * Counts open connections against caps (pure): one cap in total and one per key (a seat, a
 * user). {@link tryAcquire} before any work for the connection, {@link release} once, when
 * it closes.
 */
export class ConnectionCounter {
  private total = 0;
  private readonly perKey = new Map<string, number>();

  constructor(
    /** Most connections in total. */
    readonly maxTotal: number,
    /** Most connections per key. */
    readonly maxPerKey: number,
  ) {}

  get open(): number {
    return this.total;
  }

  /**
   * Takes a place for a connection.
   * @returns null when taken; otherwise which cap is full (`total` or `key`)
   */
  tryAcquire(key: string | null): 'total' | 'key' | null {
    if (this.total >= this.maxTotal) return 'total';
    if (key !== null && (this.perKey.get(key) ?? 0) >= this.maxPerKey) return 'key';
    this.total++;
    if (key !== null) this.perKey.set(key, (this.perKey.get(key) ?? 0) + 1);
    return null;
  }

  /** Gives a place back. */
  release(key: string | null): void {
    this.total = Math.max(0, this.total - 1);
    if (key === null) return;
    const n = (this.perKey.get(key) ?? 0) - 1;
    if (n > 0) this.perKey.set(key, n);
    else this.perKey.delete(key);
  }
}
