import type { WebSocket } from 'ws';

/**
 * Connection hygiene for the WebSocket gateways: WebSocket Ping/Pong heartbeats (RFC 6455
 * §5.5.2, §5.5.3) that find half-open connections. Browsers answer a Ping with a Pong by
 * themselves, so clients need no application-level heartbeat; the Sentinel's own silence
 * watchdog covers the other direction. The caps are in `connection-limits.ts`.
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
