import { parseServerToProctor, type ServerToProctorMessage } from '@vigil/protocol';
import { fragmentMessage } from '../testing/media-fixtures';
import {
  SERVER_TEST_TIMEOUT_MS,
  TestClient,
  TestSentinel,
  TestServer,
  TestSocket,
  adminClient,
  browserHeaders,
  connectSentinel,
  createExam,
  createSeat,
  openSocket,
  proctorClient,
  startTestServer,
} from '../testing/test-server';

jest.setTimeout(SERVER_TEST_TIMEOUT_MS);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Live statistics over a real server: a Sentinel uploads a short resent backlog (fragments
 * captured 40 s ago) and then live fragments captured just now, while a proctor watches.
 */
describe('live statistics: GET /api/streams/:id/stats, GET /api/exams/:id/stats', () => {
  let server: TestServer;
  let admin: TestClient;
  let proctor: TestClient;
  let proctorId: string;
  let foreignProctor: TestClient;
  let examA: { id: string };
  let examB: { id: string };
  let sentinel: TestSentinel;
  let streamId: string;
  let viewer: TestSocket<ServerToProctorMessage>;
  const BACKLOG = 5;
  const LIVE = 15;

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    admin = await adminClient(server);
    examA = await createExam(admin, { name: 'Stats A' });
    examB = await createExam(admin, { name: 'Stats B' });
    const seat = await createSeat(admin, examA.id, 'a-1');
    await createSeat(admin, examA.id, 'a-2'); // expected, never connects
    await createSeat(admin, examB.id, 'b-1');
    ({ client: proctor, userId: proctorId } = await proctorClient(admin, 'stats.proctor@vigil.test', [examA.id]));
    ({ client: foreignProctor } = await proctorClient(admin, 'other.proctor@vigil.test', [examB.id]));

    sentinel = await connectSentinel(server, seat, { frames: 0 }); // init segment only
    streamId = sentinel.streamId!;
    const ws = sentinel.socket.ws;
    let seq = 1;
    // a backlog resent after a reconnect: captured 40 s ago
    const old = Date.now() - 40_000;
    for (let i = 0; i < BACKLOG; i++) ws.send(fragmentMessage(++seq, i, { fps: 5, join: i === 0, captureTimeMs: old + i * 200 }));
    await sentinel.socket.until(() => sentinel.socket.texts.some((t) => t.type === 'ack' && t.sequence === seq), 'backlog acks');

    viewer = await openSocket(server, '/ws/proctor', parseServerToProctor, browserHeaders(proctor));
    await viewer.until(() => viewer.texts.some((t) => t.type === 'streams'), 'stream list');
    viewer.ws.send(JSON.stringify({ type: 'subscribe', streamId }));
    await viewer.until(() => viewer.texts.some((t) => t.type === 'subscribed'), 'subscribed');

    // live: captured 150 ms before sending, 10 per second
    for (let i = BACKLOG; i < BACKLOG + LIVE; i++) {
      ws.send(fragmentMessage(++seq, i, { fps: 5, join: i % 5 === 0, captureTimeMs: Date.now() - 150 }));
      await sleep(100);
    }
    await sentinel.socket.until(() => sentinel.socket.texts.some((t) => t.type === 'ack' && t.sequence === seq), 'live acks');
    await viewer.until(() => viewer.binaries.length >= 1 + BACKLOG + LIVE, 'fragments at the viewer');
  });

  afterAll(async () => {
    viewer?.ws.close();
    sentinel?.socket.ws.close();
    await server?.close();
  });

  it('a stream: ingest, fragment age, ack latency, backlog, storage and its viewer with delivery latency', async () => {
    const res = await proctor.get(`/api/streams/${streamId}/stats`);
    expect(res.status).toBe(200);
    const s = res.body;
    expect(s).toMatchObject({
      streamId,
      examId: examA.id,
      state: 'live',
      sentinelConnected: true,
      requestedFps: 5, // raised by the proctor's focused view (VIGIL_FOCUS_FPS)
      fragmentsReceived: BACKLOG + LIVE,
      storage: { state: 'ok', error: null, writeFailures: 0, pendingWriteBytes: 0, lastReceivedSequence: 1 + BACKLOG + LIVE, lastAckedSequence: 1 + BACKLOG + LIVE },
      viewerCount: 1,
    });
    expect(Math.abs(s.atMs - Date.now())).toBeLessThan(5_000);
    // ~1 kB fragments, 20 in the last few seconds
    expect(s.ingestBitrateBps).toBeGreaterThan(8_000);
    expect(s.ingestBitrateBps).toBeLessThan(1_000_000);
    expect(s.fps).toBeGreaterThan(1);
    expect(s.fps).toBeLessThan(25);
    expect(s.bytesReceived).toBeGreaterThan((BACKLOG + LIVE) * 1000);
    // the age at arrival: 150 ms and a little for live fragments, ~40 s for the backlog
    expect(s.fragmentAgeMs.count).toBe(BACKLOG + LIVE);
    expect(s.fragmentAgeMs.min).toBeGreaterThanOrEqual(150);
    expect(s.fragmentAgeMs.min).toBeLessThan(2_000);
    expect(s.fragmentAgeMs.max).toBeGreaterThanOrEqual(40_000);
    expect(s.fragmentAgeMs.max).toBeLessThan(50_000);
    expect(s.fragmentAgeMs.avg).toBeGreaterThan(s.fragmentAgeMs.min);
    // every unit (init + fragments) durable and acknowledged
    expect(s.ackLatencyMs.count).toBe(1 + BACKLOG + LIVE);
    expect(s.ackLatencyMs.min).toBeGreaterThanOrEqual(0);
    expect(s.ackLatencyMs.max).toBeLessThan(5_000);
    expect(s.backlog).toMatchObject({ thresholdMs: 10_000, fragments: BACKLOG, sentinelQueueDepth: null });
    expect(s.backlog.lastAgeMs).toBeGreaterThanOrEqual(39_000); // the newest of them: captured 40 s − 0.8 s ago
    expect(s.backlog.lastAtMs).toBeLessThanOrEqual(Date.now());
    // the proctor's subscription: live fragments measured at the server, nothing skipped
    expect(s.viewers).toHaveLength(1);
    const v = s.viewers[0];
    expect(v).toMatchObject({ userId: proctorId, email: 'stats.proctor@vigil.test', via: 'session', state: 'live', skippedSegments: 0, skippedFragments: 0 });
    expect(v.bufferedBytes).toBeGreaterThanOrEqual(0);
    expect(v.deliveryLatencyMs.count).toBe(LIVE);
    expect(v.deliveryLatencyMs.min).toBeGreaterThanOrEqual(150);
    expect(v.deliveryLatencyMs.max).toBeLessThan(2_000);
    expect(v.subscribedAtMs).toBeLessThanOrEqual(Date.now());
  });

  it('the backlog counts as draining while old fragments keep arriving', async () => {
    const ws = sentinel.socket.ws;
    const seq = 1 + BACKLOG + LIVE + 1;
    ws.send(fragmentMessage(seq, BACKLOG + LIVE, { fps: 5, join: false, captureTimeMs: Date.now() - 30_000 }));
    await sentinel.socket.until(() => sentinel.socket.texts.some((t) => t.type === 'ack' && t.sequence === seq), 'ack');
    const s = (await proctor.get(`/api/streams/${streamId}/stats`)).body;
    expect(s.backlog).toMatchObject({ draining: true, fragments: BACKLOG + 1 });
    const exam = (await proctor.get(`/api/exams/${examA.id}/stats`)).body;
    expect(exam.backlogDrainingStreamIds).toEqual([streamId]);
  });

  it('an exam: seats connected of expected, streams, viewers, latencies over its streams', async () => {
    const res = await proctor.get(`/api/exams/${examA.id}/stats`);
    expect(res.status).toBe(200);
    const e = res.body;
    expect(e).toMatchObject({
      examId: examA.id,
      seatsExpected: 2,
      seatsConnected: 1,
      streams: { live: 1, disconnected: 0 },
      storageFailedStreamIds: [],
      viewers: 1,
      skippedSegments: 0,
    });
    expect(e.ingestBitrateBps).toBeGreaterThan(0);
    expect(e.fragmentAgeMs.count).toBeGreaterThanOrEqual(BACKLOG + LIVE);
    expect(e.ackLatencyMs.count).toBeGreaterThanOrEqual(1 + BACKLOG + LIVE);
    expect(e.deliveryLatencyMs.count).toBeGreaterThanOrEqual(LIVE);
    // exam B: its seat never connected
    expect((await admin.get(`/api/exams/${examB.id}/stats`)).body).toMatchObject({ seatsExpected: 1, seatsConnected: 0, streams: { live: 0, disconnected: 0 }, viewers: 0 });
  });

  it("answers 404 to another exam's proctor and for missing ids, 401 to nobody", async () => {
    const foreignStream = await foreignProctor.get(`/api/streams/${streamId}/stats`);
    const missingStream = await foreignProctor.get('/api/streams/no-such-stream/stats');
    expect(foreignStream.status).toBe(404);
    expect(missingStream.status).toBe(404);
    expect(foreignStream.body.error).toBe(missingStream.body.error);
    expect((await foreignProctor.get(`/api/exams/${examA.id}/stats`)).status).toBe(404);
    expect((await proctor.get('/api/exams/no-such-exam/stats')).status).toBe(404);
    const anonymous = new TestClient(server);
    for (const path of [`/api/streams/${streamId}/stats`, `/api/exams/${examA.id}/stats`]) {
      const res = await anonymous.get(path);
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/log in first/);
    }
    // admins see every exam
    expect((await admin.get(`/api/streams/${streamId}/stats`)).status).toBe(200);
  });

  it('stays off without configuration: GET /metrics is 404', async () => {
    expect((await new TestClient(server).get('/metrics')).status).toBe(404);
    expect((await admin.get('/metrics')).status).toBe(404);
  });
});
