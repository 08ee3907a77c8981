import WebSocket from 'ws';
import { decodeMediaMessage, encodeControl, parseServerToProctor, parseServerToSentinel, type ServerToProctorMessage } from '@vigil/protocol';
import {
  SERVER_TEST_TIMEOUT_MS,
  TestClient,
  TestServer,
  adminClient,
  browserHeaders,
  connectSentinel,
  createExam,
  createSeat,
  openSocket,
  proctorClient,
  startTestServer,
} from '../testing/test-server';
import { fragmentMessage } from '../testing/media-fixtures';
import { SentinelGateway } from './sentinel.gateway';
import { ProctorGateway } from './proctor.gateway';

jest.setTimeout(SERVER_TEST_TIMEOUT_MS);

/** Stops reading the client side of a WebSocket (a dead peer behind a NAT, or a stalled tab): no Pongs, no reads. */
function stopReading(ws: WebSocket): void {
  (ws as unknown as { _socket: { pause(): void } })._socket.pause();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `ok` every 20 ms for up to `ms`. @returns the time it took, ms */
async function within(ms: number, ok: () => boolean | Promise<boolean>, what: string): Promise<number> {
  const start = Date.now();
  while (!(await ok())) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
  return Date.now() - start;
}

/** Hello timeout, half-open detection, caps and Origin on a real server with real sockets. */
describe('Sentinel connection hygiene', () => {
  let server: TestServer;
  let admin: TestClient;
  let gateway: SentinelGateway;
  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      VIGIL_HELLO_TIMEOUT_MS: '1000',
      VIGIL_PING_INTERVAL_MS: '100',
      VIGIL_PONG_TIMEOUT_MS: '400',
      VIGIL_MAX_SENTINEL_CONNECTIONS: '6',
      VIGIL_MAX_SENTINEL_CONNECTIONS_PER_EXAM: '3',
      VIGIL_MAX_SENTINEL_CONNECTIONS_PER_SEAT: '2',
    });
    admin = await adminClient(server);
    gateway = server.app.get(SentinelGateway);
  });
  afterAll(() => server.close());

  const helloWith = (seat: { id: string; examId: string; token: string }, extra: Record<string, unknown> = {}) =>
    encodeControl({
      type: 'hello', protocol: 1, token: seat.token, examId: seat.examId, seatId: seat.id,
      encoder: 'webcodecs', userAgent: 'jest', capabilities: { encoders: ['webcodecs'] }, ...extra,
    } as Parameters<typeof encodeControl>[0]);

  it('closes a connection that sends no hello (auth-required)', async () => {
    const s = await openSocket(server, '/ws/sentinel', parseServerToSentinel);
    expect(await s.closed).toBe(1008);
    expect(s.texts).toEqual([expect.objectContaining({ type: 'error', code: 'auth-required', message: expect.stringMatching(/no hello within 1 s/) })]);
    await within(2000, () => gateway.openConnections === 0, 'the place to be given back');
  });

  it('finds a half-open Sentinel (no Pong) within timeout + interval; its stream is no longer live', async () => {
    const exam = await createExam(admin, { name: 'hygiene' });
    const sentinel = await connectSentinel(server, await createSeat(admin, exam.id, 'hy-1'));
    stopReading(sentinel.socket.ws);
    const detected = await within(5000, async () => (await admin.get(`/api/streams/${sentinel.streamId}`)).body.state !== 'live', 'the stream to leave live');
    expect((await admin.get(`/api/streams/${sentinel.streamId}`)).body.state).toBe('disconnected');
    expect(detected).toBeLessThan(5000); // 0.4 s timeout + 0.1 s interval here (defaults: 20 s + 10 s)
    expect(gateway.connectionsOf(exam.id)).toBe(0);
    sentinel.socket.ws.terminate();
  });

  it('caps Sentinel connections per seat and per exam with server-busy (1013); a resume takes its own stream over; others go on', async () => {
    const exam = await createExam(admin, { name: 'caps' });
    const [seatA, seatB, seatC] = await Promise.all(['cap-a', 'cap-b', 'cap-c'].map((s) => createSeat(admin, exam.id, s)));
    const a1 = await connectSentinel(server, seatA);
    const a2 = await connectSentinel(server, seatA);
    expect([a1.first.type, a2.first.type]).toEqual(['welcome', 'welcome']);
    const a3 = await connectSentinel(server, seatA);
    expect(a3.first).toMatchObject({ type: 'error', code: 'server-busy', fatal: true, message: expect.stringMatching(/this seat has its limit of 2 Sentinel connections/) });
    expect(await a3.socket.closed).toBe(1013);
    expect(gateway.connectionsOf(exam.id, seatA.id)).toBe(2);

    // a reconnect that resumes a1's stream while a1 still looks alive (half-open, say) is not refused
    const resume = await openSocket(server, '/ws/sentinel', parseServerToSentinel);
    resume.ws.send(helloWith(seatA, { streamId: a1.streamId }));
    await resume.until(() => resume.texts.length > 0, 'welcome');
    expect(resume.texts[0]).toMatchObject({ type: 'welcome', streamId: a1.streamId });
    expect(await a1.socket.closed).toBe(1000); // taken over
    expect(a1.socket.texts.at(-1)).toMatchObject({ type: 'error', code: 'not-allowed', message: expect.stringMatching(/newer connection/) });
    expect(gateway.connectionsOf(exam.id, seatA.id)).toBe(2);

    const b1 = await connectSentinel(server, seatB);
    expect(b1.first.type).toBe('welcome');
    const c1 = await connectSentinel(server, seatC);
    expect(c1.first).toMatchObject({ type: 'error', code: 'server-busy', message: expect.stringMatching(/this exam has its limit of 3 Sentinel connections/) });
    expect(await c1.socket.closed).toBe(1013);

    // everyone admitted keeps working: a2 still gets acks, another exam still connects
    a2.socket.ws.send(fragmentMessage(5, 3));
    await a2.socket.until(() => a2.socket.texts.some((t) => t.type === 'ack' && t.sequence === 5), 'ack 5');
    const other = await connectSentinel(server, await createSeat(admin, (await createExam(admin, { name: 'other' })).id, 'o-1'));
    expect(other.first.type).toBe('welcome');

    // closing gives the places back: seat C gets in once B left
    b1.socket.ws.close(1000);
    await within(2000, () => gateway.connectionsOf(exam.id) === 2, 'b1 to be released');
    expect((await connectSentinel(server, seatC)).first.type).toBe('welcome');
    for (const s of [resume.ws, a2.socket.ws, other.socket.ws]) s.close(1000);
    await within(3000, () => gateway.openConnections === 1, 'the others to close'); // seat C's still open
  });

  it('refuses connections over VIGIL_MAX_SENTINEL_CONNECTIONS with server-busy (1013); others go on', async () => {
    await within(3000, () => gateway.openConnections <= 1, 'earlier sockets to close');
    const open = await Promise.all(Array.from({ length: 6 - gateway.openConnections }, () => openSocket(server, '/ws/sentinel', parseServerToSentinel)));
    const extra = await openSocket(server, '/ws/sentinel', parseServerToSentinel);
    expect(await extra.closed).toBe(1013);
    expect(extra.texts).toEqual([expect.objectContaining({ type: 'error', code: 'server-busy', message: expect.stringMatching(/limit of 6 Sentinel connections/) })]);
    expect(open.every((s) => s.ws.readyState === WebSocket.OPEN)).toBe(true);
    for (const s of open) s.ws.close();
  });

  it('refuses a browser Origin of another site before any work (not-allowed, 1008); its own Origin is fine', async () => {
    await within(3000, () => gateway.openConnections <= 1, 'earlier sockets to close');
    const before = gateway.openConnections;
    const evil = await openSocket(server, '/ws/sentinel', parseServerToSentinel, { origin: 'https://evil.example' });
    expect(await evil.closed).toBe(1008);
    expect(evil.texts).toEqual([expect.objectContaining({ code: 'not-allowed', message: expect.stringMatching(/origin https:\/\/evil\.example refused/) })]);
    expect(gateway.openConnections).toBe(before); // no place was taken
    const own = await openSocket(server, '/ws/sentinel', parseServerToSentinel, { origin: server.base });
    own.ws.send(helloWith(await createSeat(admin, (await createExam(admin, { name: 'origin' })).id, 'or-1')));
    await own.until(() => own.texts.length > 0, 'welcome');
    expect(own.texts[0].type).toBe('welcome');
    own.ws.close();
  });
});

describe('Proctor connection hygiene', () => {
  let server: TestServer;
  let admin: TestClient;
  let gateway: ProctorGateway;
  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      VIGIL_PING_INTERVAL_MS: '100',
      VIGIL_PONG_TIMEOUT_MS: '400',
      VIGIL_MAX_PROCTOR_CONNECTIONS: '3',
      VIGIL_MAX_PROCTOR_CONNECTIONS_PER_USER: '2',
    });
    admin = await adminClient(server);
    gateway = server.app.get(ProctorGateway);
  });
  afterAll(() => server.close());

  const open = (client: TestClient) => openSocket<ServerToProctorMessage>(server, '/ws/proctor', parseServerToProctor, browserHeaders(client));

  it('caps connections per user (not-allowed, 1008) and in total (server-busy, 1013); the others go on', async () => {
    const [p1, p2] = [await open(admin), await open(admin)];
    await p1.until(() => p1.texts.length > 0, 'streams');
    await p2.until(() => p2.texts.length > 0, 'streams');
    const p3 = await open(admin);
    expect(await p3.closed).toBe(1008);
    expect(p3.texts).toEqual([expect.objectContaining({ type: 'error', code: 'not-allowed', message: expect.stringMatching(/2 proctor connections open \(the limit\)/) })]);
    const { client: other } = await proctorClient(admin, 'other@vigil.test', []);
    const o1 = await open(other);
    await o1.until(() => o1.texts.length > 0, 'streams');
    const o2 = await open(other);
    expect(await o2.closed).toBe(1013);
    expect(o2.texts).toEqual([expect.objectContaining({ type: 'error', code: 'server-busy', message: expect.stringMatching(/limit of 3 proctor connections/) })]);
    for (const s of [p1, p2, o1]) {
      s.ws.send(encodeControl({ type: 'subscribe', streamId: 'nope' }));
      await s.until(() => s.texts.some((t) => t.type === 'error' && t.code === 'unknown-stream'), 'an answer');
      expect(s.ws.readyState).toBe(WebSocket.OPEN);
    }
    for (const s of [p1, p2, o1]) s.ws.close();
    await within(2000, () => gateway.openConnections === 0, 'places to be given back');
  });

  it('finds a half-open proctor (no Pong) within timeout + interval and gives its place back', async () => {
    const p = await open(admin);
    await p.until(() => p.texts.length > 0, 'streams');
    expect(gateway.openConnections).toBe(1);
    stopReading(p.ws);
    const detected = await within(5000, () => gateway.openConnections === 0, 'the server to drop it');
    expect(detected).toBeLessThan(5000); // 0.4 s + 0.1 s here
    p.ws.terminate();
  });
});

describe('Proctor backpressure on a real socket', () => {
  let server: TestServer;
  const FRAME_BYTES = 100_000;
  const CAP = 64 * 1024;
  beforeAll(async () => {
    // long heartbeat: here the stalled proctor must be bounded by backpressure alone
    server = await startTestServer('sqlite', { VIGIL_VIEWER_MAX_BUFFERED_BYTES: String(CAP), VIGIL_PONG_TIMEOUT_MS: '120000', VIGIL_PING_INTERVAL_MS: '60000' });
  });
  afterAll(() => server.close());

  it('a proctor that stops reading never holds more than the cap + one fragment; another viewer gets every frame', async () => {
    const admin = await adminClient(server);
    const exam = await createExam(admin, { name: 'bp' });
    const sentinel = await connectSentinel(server, await createSeat(admin, exam.id, 'bp-1'), { frames: 1 }); // init (1) + join (2)
    const streamId = sentinel.streamId!;
    const subscribe = async () => {
      const s = await openSocket<ServerToProctorMessage>(server, '/ws/proctor', parseServerToProctor, browserHeaders(admin));
      s.ws.send(encodeControl({ type: 'subscribe', streamId }));
      await s.until(() => s.texts.some((t) => t.type === 'subscribed'), 'subscribed');
      return s;
    };
    const stalled = await subscribe();
    stopReading(stalled.ws);
    const reader = await subscribe();
    const gateway = server.app.get(ProctorGateway);
    let maxBuffered = 0;
    const sampler = setInterval(() => (maxBuffered = Math.max(maxBuffered, ...gateway.bufferedAmounts())), 5);
    const FRAMES = 300; // 30 MB: well past what the kernel's socket buffers absorb
    try {
      for (let i = 1; i <= FRAMES; i++) {
        sentinel.socket.ws.send(fragmentMessage(i + 2, i, { join: i % 10 === 0, size: FRAME_BYTES }));
        if (i % 10 === 0) await reader.until(() => reader.binaries.some((b) => decodeMediaMessage(b).header.sequence === i + 2), `frame ${i}`);
      }
    } finally {
      clearInterval(sampler);
    }
    const seen = reader.binaries.map((b) => decodeMediaMessage(b).header.sequence).filter((s) => s > 2);
    expect(seen).toEqual(Array.from({ length: FRAMES }, (_, i) => i + 3)); // every frame, in order
    expect(maxBuffered).toBeGreaterThan(CAP / 2); // the stalled socket did fill up...
    expect(maxBuffered).toBeLessThanOrEqual(CAP + 2 * (FRAME_BYTES + 1024)); // ...and stayed bounded (30 MB were relayed)
    await sentinel.socket.until(() => sentinel.socket.texts.some((t) => t.type === 'ack' && t.sequence === FRAMES + 2), 'every ack');
    console.log(`backpressure: stalled proctor held at most ${maxBuffered} bytes (cap ${CAP}, fragments ${FRAME_BYTES} B, ${FRAMES} relayed)`);
    for (const s of [stalled.ws, reader.ws, sentinel.socket.ws]) s.terminate();
  });
});
