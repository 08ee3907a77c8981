/**
 * How long the server takes to find a half-open Sentinel with the DEFAULT heartbeat
 * (Ping every 10 s, closed after 20 s of silence): the bound docs/reliability.md quotes.
 * It takes about 35 s, and runs in every test run (the other hygiene tests use short timers).
 *
 * Six Sentinels on a real server stop reading (their socket is paused: no Pongs, as a peer
 * behind a dead NAT) at staggered moments, 0 to 10 s after connecting, so the pause falls
 * at different phases of the Ping interval. For each: the time from the pause until its
 * stream leaves `live`. Fails if any takes longer than 21 s (the timeout, plus one tick of the
 * shared heartbeat sweep: a tenth of the interval) plus 1 s of timer slack. Before the sweep
 * (a Ping timer per socket, silence checked only when pinging) it took up to 30 s.
 */
import { PING_INTERVAL_MS, PONG_TIMEOUT_MS } from '@vigil/protocol';
import { heartbeatTickMs } from './connection-guard';
import { adminClient, connectSentinel, createExam, createSeat, startTestServer } from '../testing/test-server';
import { RelayService } from '../relay-nest/relay.service';

jest.setTimeout(120_000);

it('finds every half-open Sentinel within PONG_TIMEOUT_MS + one sweep tick (defaults)', async () => {
  const server = await startTestServer('sqlite');
  try {
    expect([server.config.pingIntervalMs, server.config.pongTimeoutMs]).toEqual([PING_INTERVAL_MS, PONG_TIMEOUT_MS]);
    const admin = await adminClient(server);
    const exam = await createExam(admin, { name: 'half-open' });
    const registry = server.app.get(RelayService).registry;
    const offsetsMs = [0, 2000, 4000, 6000, 8000, 10_000];
    const sentinels = await Promise.all(offsetsMs.map(async (_, i) => connectSentinel(server, await createSeat(admin, exam.id, `ho-${i}`))));
    const connectedAt = Date.now();
    const detections = await Promise.all(
      sentinels.map(async (s, i) => {
        await new Promise((r) => setTimeout(r, connectedAt + offsetsMs[i] - Date.now()));
        (s.socket.ws as unknown as { _socket: { pause(): void } })._socket.pause();
        const pausedAt = Date.now();
        while (registry.get(s.streamId!)?.state === 'live') await new Promise((r) => setTimeout(r, 25));
        const ms = Date.now() - pausedAt;
        s.socket.ws.terminate();
        return ms;
      }),
    );
    const sorted = [...detections].sort((a, b) => a - b);
    const median = (sorted[2] + sorted[3]) / 2;
    console.log(
      `half-open detection (ping ${PING_INTERVAL_MS} ms, timeout ${PONG_TIMEOUT_MS} ms), ${sorted.length} Sentinels: ` +
        `min ${sorted[0]} ms, median ${median} ms, max ${sorted.at(-1)} ms; each: ${detections.join(', ')} ms`,
    );
    for (const ms of detections) expect(ms).toBeLessThanOrEqual(PONG_TIMEOUT_MS + heartbeatTickMs(PING_INTERVAL_MS) + 1000);
    for (const s of sentinels) expect(await s.socket.closed).toBe(1006); // dropped, no closing handshake
  } finally {
    await server.close();
  }
});
