import { StreamRecordsService } from './stream-records.service';
import { SERVER_TEST_TIMEOUT_MS, TEST_DATABASES, TestServer, adminClient, connectSentinel, createExam, createSeat, databaseOf, startTestServer } from '../testing/test-server';

jest.setTimeout(SERVER_TEST_TIMEOUT_MS);

describe.each(TEST_DATABASES)('stream records (%s)', (database) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(database);
  });

  afterAll(async () => {
    await server.close();
  });

  it('follows a stream: live, disconnected, ended, with resolution and frame rate', async () => {
    const admin = await adminClient(server);
    const exam = await createExam(admin, { defaultFps: 0.5 });
    const seat = await createSeat(admin, exam.id, 'rec-1');
    const sentinel = await connectSentinel(server, seat);
    const records = server.app.get(StreamRecordsService);
    await records.flush();
    expect(await records.get(sentinel.streamId!)).toMatchObject({ state: 'live', fps: 0.5, width: 1280, height: 720, endedAtMs: null });
    sentinel.socket.ws.close();
    await sentinel.socket.closed;
    await new Promise((r) => setTimeout(r, 50));
    await records.flush();
    expect((await records.get(sentinel.streamId!))?.state).toBe('disconnected');
    expect((await admin.get(`/api/exams/${exam.id}/seats/${seat.id}`)).body).toMatchObject({ status: 'offline', liveStreamId: sentinel.streamId });
    await admin.post(`/api/streams/${sentinel.streamId}/end`);
    await records.flush();
    const ended = await records.get(sentinel.streamId!);
    expect(ended).toMatchObject({ state: 'ended', endedAtMs: expect.any(Number) });
    expect(ended!.history!.filter((h) => h.kind === 'state').map((h) => h['state'])).toEqual(['live', 'disconnected', 'ended']);
    expect((await admin.get(`/api/exams/${exam.id}/seats/${seat.id}`)).body).toMatchObject({ status: 'offline', liveStreamId: null, lastSeenAtMs: expect.any(Number) });
  });

  it('marks streams a previous server process left live as ended at start', async () => {
    const db = databaseOf(server).db;
    await db
      .insertInto('streams')
      .values({ id: 'left-over', examId: 'e', seatId: 's', encoder: 'webcodecs', userAgent: 'x', state: 'live', startedAt: 1000, endedAt: null, lastSeenAt: 2000, codec: null, width: 0, height: 0, fps: 1 })
      .execute();
    await server.app.get(StreamRecordsService).onModuleInit();
    expect(await db.selectFrom('streams').select(['state', 'endedAt']).where('id', '=', 'left-over').executeTakeFirst()).toEqual({ state: 'ended', endedAt: 2000 });
  });

  it('a write that fails in a batch (one transaction) costs only itself: a burst of Sentinels all get their rows', async () => {
    const admin = await adminClient(server, 'burst.admin@vigil.test');
    const exam = await createExam(admin, { defaultFps: 1 });
    const seats = await Promise.all(Array.from({ length: 12 }, (_, i) => createSeat(admin, exam.id, `burst-${i}`)));
    const records = server.app.get(StreamRecordsService);
    // a poisoned write queued in the same batch as the Sentinels' rows
    (records as unknown as { enqueue(id: string, run: () => Promise<void>): void }).enqueue('poison', async () => {
      throw new Error('injected write failure');
    });
    const sentinels = await Promise.all(seats.map((seat) => connectSentinel(server, seat)));
    await records.flush();
    for (const s of sentinels) expect(await records.get(s.streamId!)).toMatchObject({ state: 'live', fps: 1 });
    for (const s of sentinels) s.socket.ws.close();
  });
});

