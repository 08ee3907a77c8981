import { parseServerToProctor, type ServerToProctorMessage } from '@vigil/protocol';
import { StreamRecordsService } from '../stream-records/stream-records.service';
import {
  SERVER_TEST_TIMEOUT_MS,
  TEST_PASSWORD,
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

const METRICS_TOKEN = 'metrics-token-' + 'x7'.repeat(20);

/**
 * `GET /metrics` (token and loopback access, Prometheus text format) and the JSON logs
 * (`VIGIL_LOG_FORMAT=json`: request ids, stream ids, secrets redacted) over a real server
 * whose log lines are collected.
 */
describe('Prometheus /metrics and JSON logs', () => {
  let server: TestServer;
  const lines: string[] = [];
  let admin: TestClient;
  let proctor: TestClient;
  let seat: { id: string; examId: string; token: string };
  let sentinel: TestSentinel;
  let viewer: TestSocket<ServerToProctorMessage>;
  const FRAMES = 6;

  beforeAll(async () => {
    server = await startTestServer(
      'sqlite',
      { VIGIL_METRICS_TOKEN: METRICS_TOKEN, VIGIL_METRICS_LOOPBACK: 'true', VIGIL_LOG_FORMAT: 'json' },
      { destination: { write: (line: string) => void lines.push(line) }, verbose: true },
    );
    admin = await adminClient(server);
    const exam = await createExam(admin);
    seat = await createSeat(admin, exam.id, 'm-1');
    ({ client: proctor } = await proctorClient(admin, 'metrics.proctor@vigil.test', [exam.id]));
    viewer = await openSocket(server, '/ws/proctor', parseServerToProctor, browserHeaders(proctor));
    await viewer.until(() => viewer.texts.some((t) => t.type === 'streams'), 'stream list');
    sentinel = await connectSentinel(server, seat, { frames: FRAMES });
  });

  afterAll(async () => {
    viewer?.ws.close();
    sentinel?.socket.ws.close();
    await server?.close();
  });

  const scrape = (headers: Record<string, string> = {}) => new TestClient(server).get('/metrics', { headers });

  it('refuses a proxied client without the token (401), and a wrong token', async () => {
    const proxied = { 'x-forwarded-for': '203.0.113.7' };
    const none = await scrape(proxied);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(none.body.message).toMatch(/VIGIL_METRICS_TOKEN/);
    expect((await scrape({ ...proxied, authorization: `Bearer ${METRICS_TOKEN}x` })).status).toBe(401);
    expect((await scrape({ ...proxied, authorization: `Bearer ${METRICS_TOKEN.slice(0, -1)}` })).status).toBe(401);
    expect((await scrape({ ...proxied, authorization: METRICS_TOKEN })).status).toBe(401); // no "Bearer"
    expect((await scrape({ forwarded: 'for=203.0.113.7' })).status).toBe(401);
    // a session is no credential for /metrics
    expect((await admin.get('/metrics', { headers: proxied })).status).toBe(401);
  });

  it('answers the token from anywhere, and loopback clients without one, in the Prometheus text format', async () => {
    const viaToken = await scrape({ 'x-forwarded-for': '203.0.113.7', authorization: `Bearer ${METRICS_TOKEN}` });
    expect(viaToken.status).toBe(200);
    const local = await scrape();
    expect(local.status).toBe(200);
    expect(local.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const text = local.text;
    const value = (name: string) => {
      const m = new RegExp(`^${name.replace(/[{}"+.]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
      if (!m) throw new Error(`${name} missing from:\n${text.slice(0, 3000)}`);
      return Number(m[1]);
    };
    expect(text).toMatch(/^# TYPE vigil_streams_live gauge$/m);
    expect(text).toMatch(/^# TYPE vigil_fragments_received_total counter$/m);
    expect(text).toMatch(/^# TYPE vigil_ingest_bytes_total counter$/m);
    expect(text).toMatch(/^# TYPE vigil_fragment_ack_seconds histogram$/m);
    expect(text).toMatch(/^# TYPE vigil_viewer_latency_seconds histogram$/m);
    expect(value('vigil_streams_live')).toBe(1);
    expect(value('vigil_streams_storage_failed')).toBe(0);
    expect(value('vigil_fragments_received_total')).toBe(FRAMES);
    expect(value('vigil_ingest_bytes_total')).toBeGreaterThan(FRAMES * 1000);
    // every unit (init + fragments) acknowledged: +Inf bucket = count
    expect(value('vigil_fragment_ack_seconds_count')).toBe(FRAMES + 1);
    expect(value('vigil_fragment_ack_seconds_bucket{le="+Inf"}')).toBe(FRAMES + 1);
    expect(value('vigil_fragment_ack_seconds_bucket{le="10"}')).toBe(FRAMES + 1);
    expect(value('vigil_fragment_ack_seconds_sum')).toBeGreaterThanOrEqual(0);
    expect(value('vigil_viewers')).toBe(0);
    // the buffered fragments' copies: every byte in a 16 KiB chunk, at most a partly used chunk at each end
    const buffered = value('vigil_buffered_bytes');
    expect(buffered).toBeGreaterThan(FRAMES * 1000);
    expect(value('vigil_buffer_pool_bytes{state="in-use"}')).toBeGreaterThanOrEqual(buffered);
    expect(value('vigil_buffer_pool_bytes{state="in-use"}')).toBeLessThanOrEqual(buffered + 2 * 16 * 1024);
    expect(text).toMatch(/^vigil_buffer_pool_bytes\{state="free"\} \d+$/m); // how many depends on what left the buffer
    // the pool reserved the whole budget (VIGIL_BUFFER_TOTAL_BYTES, 1 GiB by default) at the first stream and
    // carved every chunk so far from it: the rest of it is "reserved"
    const pool = ['reserved', 'in-use', 'free'].map((state) => value(`vigil_buffer_pool_bytes{state="${state}"}`));
    expect(pool[0]).toBeGreaterThan(0);
    expect(pool[0]! + pool[1]! + pool[2]!).toBe(1024 ** 3);
    expect(value('vigil_joins_waiting')).toBe(0); // the Sentinel's join turn ended at its first ack
    // prom-client's default metrics: event-loop lag, heap, GC
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \S+$/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \S+$/m);
    expect(text).toMatch(/^# TYPE nodejs_gc_duration_seconds histogram$/m);
  });

  it('counts a viewer and its delivery latency', async () => {
    const streamId = sentinel.streamId!;
    viewer.ws.send(JSON.stringify({ type: 'subscribe', streamId }));
    await viewer.until(() => viewer.texts.some((t) => t.type === 'subscribed'), 'subscribed');
    const text = (await scrape()).text;
    expect(text).toMatch(/^vigil_viewers 1$/m);
    expect(text).toMatch(/^vigil_viewer_latency_seconds_count \d+$/m);
    expect(text).toMatch(/^vigil_viewer_latency_seconds_bucket\{le="\+Inf"\} \d+$/m);
  });

  it('logs JSON lines with request ids and stream ids, and leaves passwords, seat tokens, cookies and keys out', async () => {
    const wrongPassword = 'wrong-password-zebra-4711';
    expect((await new TestClient(server).post('/api/auth/login', { email: 'metrics.proctor@vigil.test', password: wrongPassword })).status).toBe(401);
    const login = await new TestClient(server).post('/api/auth/login', { email: 'metrics.proctor@vigil.test', password: TEST_PASSWORD }, { headers: { 'x-request-id': 'req-test-42' } });
    expect(login.status).toBe(200);
    expect(login.headers.get('x-request-id')).toBe('req-test-42');
    const sessionValue = /vigil_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')![1];
    expect((await proctor.get('/api/auth/me')).status).toBe(200); // a request with a cookie
    const key = (await admin.post('/api/api-keys', { name: 'logs' })).body.key as string;
    expect((await new TestClient(server, key).get('/api/auth/me')).status).toBe(200);
    // a hello with another seat's token is refused (and logged); the legacy kiosk URL carried the token in its query
    const refused = await connectSentinel(server, { ...seat, id: 'not-this-seat' });
    expect(refused.first).toMatchObject({ type: 'error' });
    await new TestClient(server).get(`/sentinel/?exam=${seat.examId}&seat=${seat.id}&token=${encodeURIComponent(seat.token)}`);
    // a share link carries its token in the path
    await server.app.get(StreamRecordsService).flush();
    const shared = await admin.post(`/api/recordings/${sentinel.streamId}/share`, { fromMs: 0, toMs: Date.now() + 60_000 });
    expect(shared.status).toBe(201);
    const shareToken = /\/api\/shared\/([^/]+)\//.exec(shared.body.playlistUrl)![1];
    await new TestClient(server).get(`/api/shared/${shareToken}/playlist.m3u8`);
    await new Promise((r) => setTimeout(r, 100));

    const output = lines.join('');
    const records = lines.flatMap((l) => l.split('\n')).filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.length).toBeGreaterThan(10);
    // secrets: none of them, not even the token's signature
    for (const secret of [TEST_PASSWORD, wrongPassword, seat.token, seat.token.split('.').at(-1)!, sessionValue, key, shareToken, METRICS_TOKEN]) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain('[Redacted]');
    // the login request's line: its id, the method, a status, redacted headers
    const loginLine = records.find((r) => (r['req'] as { id?: string } | undefined)?.id === 'req-test-42');
    expect(loginLine).toMatchObject({ level: 'info', req: { method: 'POST', url: '/api/auth/login' }, res: { statusCode: 200 } });
    expect((loginLine!['res'] as { headers: Record<string, unknown> }).headers['set-cookie']).toBe('[Redacted]');
    const cookieLine = records.find((r) => (r['req'] as { headers?: Record<string, unknown> } | undefined)?.headers?.['cookie'] !== undefined);
    expect((cookieLine!['req'] as { headers: Record<string, unknown> }).headers['cookie']).toBe('[Redacted]');
    const keyLine = records.find((r) => (r['req'] as { headers?: Record<string, unknown> } | undefined)?.headers?.['authorization'] !== undefined);
    expect((keyLine!['req'] as { headers: Record<string, unknown> }).headers['authorization']).toBe('[Redacted]');
    expect(records.some((r) => typeof (r['req'] as { url?: string } | undefined)?.url === 'string' && (r['req'] as { url: string }).url.startsWith('/api/shared/[Redacted]/'))).toBe(true);
    expect(records.some((r) => /[?&]token=\[Redacted\]/.test(String((r['req'] as { url?: string } | undefined)?.url)))).toBe(true);
    // relay lines name their stream as a field
    expect(records).toContainEqual(expect.objectContaining({ context: 'SentinelGateway', streamId: sentinel.streamId, msg: expect.stringMatching(/^sentinel started stream/) }));
    expect(records).toContainEqual(expect.objectContaining({ context: 'SentinelGateway', level: 'warn', msg: expect.stringMatching(/^sentinel rejected: auth-failed/) }));
  });
});
