import WebSocket from 'ws';
import { parseServerToSentinel } from '@vigil/protocol';
import { ConnectionCounter } from './connection-guard';
import { SERVER_TEST_TIMEOUT_MS, TestServer, adminClient, connectSentinel, createExam, createSeat, openSocket, startTestServer } from '../testing/test-server';

jest.setTimeout(SERVER_TEST_TIMEOUT_MS);

describe('ConnectionCounter', () => {
  it('caps in total and per key, and gives places back', () => {
    const c = new ConnectionCounter(3, 2);
    expect([c.tryAcquire('a'), c.tryAcquire('a'), c.tryAcquire('a')]).toEqual([null, null, 'key']);
    expect([c.tryAcquire('b'), c.tryAcquire('c')]).toEqual([null, 'total']);
    c.release('a');
    expect(c.tryAcquire('c')).toBeNull();
    expect(c.open).toBe(3);
  });
});

/** Hello timeout, half-open detection and the connection cap on a real server with real sockets. */
describe('Sentinel connection hygiene', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { VIGIL_HELLO_TIMEOUT_MS: '300', VIGIL_PING_INTERVAL_MS: '100', VIGIL_PONG_TIMEOUT_MS: '400', VIGIL_MAX_SENTINEL_CONNECTIONS: '3' });
  });
  afterAll(() => server.close());

  it('closes a connection that sends no hello (auth-required)', async () => {
    const s = await openSocket(server, '/ws/sentinel', parseServerToSentinel);
    expect(await s.closed).toBe(1008);
    expect(s.texts).toEqual([expect.objectContaining({ type: 'error', code: 'auth-required', message: expect.stringMatching(/no hello within 0.3 s/) })]);
  });

  it('finds a half-open Sentinel (no Pong) within timeout + interval; its stream is no longer live', async () => {
    const admin = await adminClient(server);
    const exam = await createExam(admin, { name: 'hygiene' });
    const sentinel = await connectSentinel(server, await createSeat(admin, exam.id, 'hy-1'));
    // stop answering pings: the client socket stops reading (a dead peer behind a NAT)
    const started = Date.now();
    (sentinel.socket.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    for (let i = 0; i < 100; i++) {
      const stream = (await admin.get(`/api/streams/${sentinel.streamId}`)).body;
      if (stream.state !== 'live') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const detected = Date.now() - started;
    expect((await admin.get(`/api/streams/${sentinel.streamId}`)).body.state).toBe('disconnected');
    expect(detected).toBeLessThan(5000); // 0.4 s timeout + 0.1 s interval here (defaults: 20 s + 10 s)
    sentinel.socket.ws.terminate();
  });

  it('refuses connections over VIGIL_MAX_SENTINEL_CONNECTIONS with server-busy (1013); others go on', async () => {
    const open = await Promise.all([0, 1, 2].map(() => openSocket(server, '/ws/sentinel', parseServerToSentinel)));
    const extra = await openSocket(server, '/ws/sentinel', parseServerToSentinel);
    expect(await extra.closed).toBe(1013);
    expect(extra.texts[0]).toMatchObject({ type: 'error', code: 'server-busy' });
    for (const s of open) s.ws.close();
  });

  it('refuses a browser Origin of another site (not-allowed)', async () => {
    const ws = new WebSocket(`ws://${server.host}/ws/sentinel`, { headers: { origin: 'https://evil.example' } });
    const texts: string[] = [];
    ws.on('message', (d) => texts.push(String(d)));
    const code = await new Promise<number>((r) => ws.on('close', (c) => r(c)));
    expect(code).toBe(1008);
    expect(JSON.parse(texts[0])).toMatchObject({ code: 'not-allowed' });
  });
});
