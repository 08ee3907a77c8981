import type { Subscription } from 'rxjs';
import type { WebSocket } from 'ws';
import { sharedTicks } from '../common/shared-ticks';

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
 * How often the heartbeat sweep looks at its sockets, ms: a tenth of the Ping interval,
 * between 10 ms and 1 s (1 s for the default 10 s interval).
 */
export function heartbeatTickMs(intervalMs: number): number {
  return Math.max(10, Math.min(1000, Math.round(intervalMs / 10)));
}

/**
 * Pings `socket` every `intervalMs`; when no Pong (nor any message) came for `timeoutMs`,
 * calls `onDead` once and terminates the socket (no closing handshake: the peer is gone).
 * Stops by itself when the socket closes.
 *
 * Every socket with the same interval is served by one shared timer ({@link sharedTicks},
 * ticking every {@link heartbeatTickMs}) instead of a timer each: a socket is pinged on the
 * first tick at least `intervalMs` after its last Ping (so Pings stay spread over the
 * interval as the connections came), and checked for silence on every tick, so a half-open
 * peer is found at most `timeoutMs` + one tick after it went silent.
 */
export function startHeartbeat(socket: WebSocket, options: HeartbeatOptions, onDead: (silentMs: number) => void): void {
  let lastHeardAt = Date.now();
  let nextPingAt = lastHeardAt + options.intervalMs;
  const heard = () => (lastHeardAt = Date.now());
  socket.on('pong', heard);
  socket.on('message', heard);
  const sweep: Subscription = sharedTicks(heartbeatTickMs(options.intervalMs)).subscribe(() => {
    const now = Date.now();
    const silentMs = now - lastHeardAt;
    if (silentMs > options.timeoutMs) {
      sweep.unsubscribe();
      try {
        onDead(silentMs);
      } finally {
        socket.terminate();
      }
      return;
    }
    if (now < nextPingAt) return;
    nextPingAt = now + options.intervalMs;
    if (socket.readyState === 1 /* OPEN */) socket.ping();
  });
  socket.once('close', () => sweep.unsubscribe());
}
