import { parseServerToProctor, type ServerToProctorMessage } from '@vigil/protocol';
import {
  SERVER_TEST_TIMEOUT_MS,
  TEST_DATABASES,
  TEST_PASSWORD,
  TestClient,
  TestSentinel,
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

jest.setTimeout(SERVER_TEST_TIMEOUT_MS);

describe.each(TEST_DATABASES)('/ws/proctor authentication and exam scope (%s)', (database) => {
  let server: TestServer;
  let admin: TestClient;
  let examA: { id: string };
  let examB: { id: string };
  let sentinelA: TestSentinel;
  let sentinelB: TestSentinel;

  beforeAll(async () => {
    server = await startTestServer(database);
    admin = await adminClient(server);
    examA = await createExam(admin, { name: 'A' });
    examB = await createExam(admin, { name: 'B' });
    sentinelA = await connectSentinel(server, await createSeat(admin, examA.id, 'a'));
    sentinelB = await connectSentinel(server, await createSeat(admin, examB.id, 'b'));
  });

  afterAll(async () => {
    sentinelA.socket.ws.close();
    sentinelB.socket.ws.close();
    await server.close();
  });

  const open = (headers: Record<string, string>) => openSocket<ServerToProctorMessage>(server, '/ws/proctor', parseServerToProctor, headers);

  /** Expects a fatal error with `code`, then close 1008, and nothing else before it. */
  async function expectRefused(headers: Record<string, string>, code: string): Promise<string> {
    const s = await open(headers);
    expect(await s.closed).toBe(1008);
    expect(s.texts).toEqual([expect.objectContaining({ type: 'error', code, fatal: true })]);
    expect(s.binaries).toEqual([]);
    const first = s.texts[0];
    return first.type === 'error' ? first.message : '';
  }

  it('refuses a connection without a session: auth-required, close 1008', async () => {
    expect(await expectRefused({ origin: server.base }, 'auth-required')).toMatch(/log in first/);
    expect(await expectRefused({ origin: server.base, cookie: 'vigil_session=' + 'x'.repeat(43) }, 'auth-required')).toMatch(/log in first/);
    expect(await expectRefused({ authorization: 'Bearer vgk_' + 'x'.repeat(43) }, 'auth-required')).toMatch(/log in first/);
  });

  it('refuses a valid session cookie from a foreign or missing Origin: not-allowed, close 1008', async () => {
    expect(await expectRefused({ cookie: admin.cookie!, origin: 'http://evil.example' }, 'not-allowed')).toMatch(/origin http:\/\/evil\.example refused/);
    expect(await expectRefused({ cookie: admin.cookie! }, 'not-allowed')).toMatch(/\(none\)/);
  });

  it('refuses a session that still has its one-time password', async () => {
    const created = await admin.post('/api/users', { email: 'fresh@vigil.test' });
    const fresh = new TestClient(server);
    await fresh.post('/api/auth/login', { email: 'fresh@vigil.test', password: created.body.oneTimePassword });
    expect(await expectRefused(browserHeaders(fresh), 'auth-required')).toMatch(/one-time password/);
  });

  it('lets an admin API key in without Origin, seeing every exam', async () => {
    const key = (await admin.post('/api/api-keys', { name: 'ws' })).body.key as string;
    const s = await open({ authorization: `Bearer ${key}` });
    await s.until(() => s.texts.length > 0, 'streams');
    const list = s.texts[0];
    expect(list.type === 'streams' && list.streams.map((x) => x.examId).sort()).toEqual([examA.id, examB.id].sort());
    s.ws.close();
  });

  it('handles a subscribe sent before authentication finished', async () => {
    const s = await open(browserHeaders(admin));
    s.ws.send(JSON.stringify({ type: 'subscribe', streamId: sentinelA.streamId }));
    await s.until(() => s.texts.some((t) => t.type === 'subscribed'), 'subscribed');
    s.ws.close();
  });

  it('closes a proctor connection when the proctor is unassigned from a watched exam (not-allowed)', async () => {
    const { client, userId } = await proctorClient(admin, 'unassign@vigil.test', [examA.id, examB.id]);
    // a second login (another session) of the same proctor is re-checked as its own group
    const other = new TestClient(server);
    await other.login('unassign@vigil.test', TEST_PASSWORD);
    const otherTab = await open(browserHeaders(other));
    await otherTab.until(() => otherTab.texts.length > 0, 'streams');
    otherTab.ws.send(JSON.stringify({ type: 'subscribe', streamId: sentinelA.streamId }));
    await otherTab.until(() => otherTab.texts.some((t) => t.type === 'subscribed'), 'subscribed');
    const s = await open(browserHeaders(client));
    await s.until(() => s.texts.length > 0, 'streams');
    const list = s.texts[0];
    expect(list.type === 'streams' && list.streams.length).toBe(2);
    s.ws.send(JSON.stringify({ type: 'subscribe', streamId: sentinelB.streamId }));
    await s.until(() => s.texts.some((t) => t.type === 'subscribed'), 'subscribed');
    expect((await admin.delete(`/api/exams/${examB.id}/proctors/${userId}`)).status).toBe(204);
    expect(await s.closed).toBe(1008);
    expect(s.texts.at(-1)).toMatchObject({ type: 'error', code: 'not-allowed', fatal: true, message: expect.stringMatching(/assignments changed/) });
    // reconnecting shows exam A only, and B's stream is unknown
    const again = await open(browserHeaders(client));
    await again.until(() => again.texts.length > 0, 'streams');
    const relist = again.texts[0];
    expect(relist.type === 'streams' && relist.streams.map((x) => x.examId)).toEqual([examA.id]);
    again.ws.send(JSON.stringify({ type: 'subscribe', streamId: sentinelB.streamId }));
    await again.until(() => again.texts.some((t) => t.type === 'error'), 'error');
    expect(again.texts.find((t) => t.type === 'error')).toMatchObject({ code: 'unknown-stream', fatal: false });
    again.ws.close();
    // the other login's socket could see exam B when it connected: it is closed as well
    expect(await otherTab.closed).toBe(1008);
  });

  it('closes a proctor connection on logout, disabling and password reset (auth-required)', async () => {
    const { client, userId } = await proctorClient(admin, 'ending@vigil.test', [examA.id]);
    // two tabs of one login are re-checked together: both close
    const first = await open(browserHeaders(client));
    const firstTwin = await open(browserHeaders(client));
    await first.until(() => first.texts.length > 0, 'streams');
    await firstTwin.until(() => firstTwin.texts.length > 0, 'streams');
    await client.post('/api/auth/logout');
    expect(await first.closed).toBe(1008);
    expect(await firstTwin.closed).toBe(1008);
    expect(first.texts.at(-1)).toMatchObject({ type: 'error', code: 'auth-required', fatal: true });
    expect(firstTwin.texts.at(-1)).toMatchObject({ type: 'error', code: 'auth-required', fatal: true });

    await client.login('ending@vigil.test', TEST_PASSWORD);
    const second = await open(browserHeaders(client));
    await second.until(() => second.texts.length > 0, 'streams');
    await admin.patch(`/api/users/${userId}`, { disabled: true });
    expect(await second.closed).toBe(1008);
    expect(second.texts.at(-1)).toMatchObject({ type: 'error', code: 'auth-required' });

    await admin.patch(`/api/users/${userId}`, { disabled: false });
    await client.login('ending@vigil.test', TEST_PASSWORD);
    const third = await open(browserHeaders(client));
    await third.until(() => third.texts.length > 0, 'streams');
    await admin.post(`/api/users/${userId}/reset-password`);
    expect(await third.closed).toBe(1008);
    expect(third.texts.at(-1)).toMatchObject({ type: 'error', code: 'auth-required' });
  });
});
