import { SERVER_TEST_TIMEOUT_MS, TestClient, TestServer, adminClient, connectSentinel, createExam, createSeat, startTestServer } from '../testing/test-server';

jest.setTimeout(SERVER_TEST_TIMEOUT_MS);

/** Blocks this process's event loop (the server runs in it) for `busyMs` of every `periodMs`, for `forMs`. */
async function overload(forMs: number, busyMs = 180, periodMs = 250): Promise<void> {
  const end = Date.now() + forMs;
  while (Date.now() < end) {
    const until = Date.now() + busyMs;
    while (Date.now() < until) {
      // busy: the event loop cannot run
    }
    await new Promise((r) => setTimeout(r, periodMs - busyMs));
  }
}

/**
 * Load shedding on a real server over a real WebSocket: an overloaded event loop (this test
 * blocks it, as a CPU-bound server would) makes the server lower an unwatched stream to
 * 0.2 fps with reason `load`; the exam's statistics show the level and the stream; once the
 * load is gone the rate comes back (reason `demand`).
 */
describe('load shedding', () => {
  let server: TestServer;
  let admin: TestClient;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { VIGIL_SHED_LOOP_DELAY_MS: '100', VIGIL_SHED_RESTORE_SECONDS: '2', VIGIL_STREAM_END_AFTER_MS: '600000' });
    admin = await adminClient(server);
  });
  afterAll(async () => server?.close());

  it('sheds an unwatched stream under an overloaded event loop, shows it in the stats, and restores it when calm', async () => {
    const exam = await createExam(admin, { name: 'Shedding', defaultFps: 1 });
    const seat = await createSeat(admin, exam.id, 'shed-1');
    const sentinel = await connectSentinel(server, seat, { frames: 3 });
    // the reconnect spread: 20 ms per stream the server holds, at least 1 s
    expect(sentinel.first).toMatchObject({ type: 'welcome', reconnectSpreadMs: 1000 });
    const fpsMessages = () => sentinel.socket.texts.filter((t) => t.type === 'set-fps');
    expect(fpsMessages()).toEqual([]);

    await overload(4500);
    await sentinel.socket.until(() => fpsMessages().length > 0, 'a set-fps for load');
    expect(fpsMessages()[0]).toEqual({ type: 'set-fps', fps: 0.2, reason: 'load' });
    const stats = await admin.get(`/api/exams/${exam.id}/stats`);
    expect(stats.status).toBe(200);
    expect(stats.body.load).toMatchObject({ level: 1, shedStreamIds: [sentinel.streamId] });
    expect(stats.body.load.changedAtMs).toEqual(expect.any(Number));

    // calm: after VIGIL_SHED_RESTORE_SECONDS the level falls and the rate comes back
    await sentinel.socket.until(() => fpsMessages().length > 1, 'the rate restored');
    expect(fpsMessages()[1]).toEqual({ type: 'set-fps', fps: 1, reason: 'demand' });
    const after = await admin.get(`/api/exams/${exam.id}/stats`);
    expect(after.body.load).toMatchObject({ level: 0, reasons: [], shedStreamIds: [] });
    expect((await admin.get('/api/health')).status).toBe(200);
    sentinel.socket.ws.close();
  });
});
