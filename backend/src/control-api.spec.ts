import { parseServerToProctor } from '@vigil/protocol';
import { StreamRecordsService } from './stream-records/stream-records.service';
import { ExamWindowService } from './exams-api/exam-window.service';
import {
  SERVER_TEST_TIMEOUT_MS,
  TEST_DATABASES,
  TestClient,
  TestSentinel,
  TestServer,
  adminClient,
  browserHeaders,
  connectSentinel,
  createExam,
  createSeat,
  databaseOf,
  openSocket,
  proctorClient,
  startTestServer,
} from './testing/test-server';

jest.setTimeout(SERVER_TEST_TIMEOUT_MS);

type Who = 'public' | 'authenticated' | 'proctor' | 'admin';

/**
 * Every route of the control API and who may call it (docs/control-api.md). The first
 * test checks this table against the served OpenAPI document, so a new route without a
 * line here (and so without refusal tests) fails.
 */
const ROUTES: [method: string, path: string, who: Who][] = [
  ['POST', '/api/auth/login', 'public'],
  ['GET', '/api/health', 'public'],
  ['POST', '/api/auth/logout', 'authenticated'],
  ['GET', '/api/auth/me', 'authenticated'],
  ['POST', '/api/auth/password', 'authenticated'],
  ['GET', '/api/exams', 'proctor'],
  ['GET', '/api/exams/{examId}', 'proctor'],
  ['GET', '/api/exams/{examId}/streams', 'proctor'],
  ['GET', '/api/exams/{examId}/stats', 'proctor'],
  ['GET', '/api/exams/{examId}/alerts', 'proctor'],
  ['POST', '/api/alerts/{alertId}/ack', 'proctor'],
  ['GET', '/api/exams/{examId}/incidents.csv', 'proctor'],
  ['GET', '/api/recordings/{streamId}/events', 'proctor'],
  ['POST', '/api/recordings/{streamId}/events', 'proctor'],
  ['POST', '/api/sentinel/events', 'public'],
  ['GET', '/api/exams/{examId}/seats', 'proctor'],
  ['GET', '/api/exams/{examId}/seats/{seatId}', 'proctor'],
  ['GET', '/api/streams', 'proctor'],
  ['GET', '/api/streams/{streamId}', 'proctor'],
  ['GET', '/api/streams/{streamId}/history', 'proctor'],
  ['GET', '/api/streams/{streamId}/stats', 'proctor'],
  ['POST', '/api/streams/{streamId}/keyframe', 'proctor'],
  ['GET', '/api/recordings', 'proctor'],
  ['GET', '/api/recordings/{streamId}', 'proctor'],
  ['GET', '/api/recordings/{streamId}/index', 'proctor'],
  ['GET', '/api/recordings/{streamId}/playlist.m3u8', 'proctor'],
  ['GET', '/api/recordings/{streamId}/export.mp4', 'proctor'],
  ['POST', '/api/recordings/{streamId}/share', 'proctor'],
  ['GET', '/api/shared/{token}/recording.mp4', 'public'],
  ['GET', '/api/shared/{token}/playlist.m3u8', 'public'],
  ['GET', '/api/shared/{token}/files/{file}', 'public'],
  ['DELETE', '/api/recordings/{streamId}', 'admin'],
  ['DELETE', '/api/exams/{examId}/recordings', 'admin'],
  ['GET', '/api/recordings/{streamId}/recording.mp4', 'proctor'],
  ['GET', '/api/recordings/{streamId}/files/{file}', 'proctor'],
  ['POST', '/api/exams', 'admin'],
  ['PATCH', '/api/exams/{examId}', 'admin'],
  ['DELETE', '/api/exams/{examId}', 'admin'],
  ['PUT', '/api/exams/{examId}/fps', 'admin'],
  ['GET', '/api/exams/{examId}/proctors', 'admin'],
  ['PUT', '/api/exams/{examId}/proctors/{userId}', 'admin'],
  ['DELETE', '/api/exams/{examId}/proctors/{userId}', 'admin'],
  ['POST', '/api/exams/{examId}/seats', 'admin'],
  ['POST', '/api/exams/{examId}/seats/import', 'admin'],
  ['GET', '/api/exams/{examId}/seats/kiosk-urls.csv', 'admin'],
  ['PATCH', '/api/exams/{examId}/seats/{seatId}', 'admin'],
  ['DELETE', '/api/exams/{examId}/seats/{seatId}', 'admin'],
  ['GET', '/api/exams/{examId}/seats/{seatId}/kiosk-url', 'admin'],
  ['POST', '/api/exams/{examId}/seats/{seatId}/revoke-token', 'admin'],
  ['PUT', '/api/streams/{streamId}/fps', 'admin'],
  ['POST', '/api/streams/{streamId}/end', 'admin'],
  ['GET', '/api/users', 'admin'],
  ['POST', '/api/users', 'admin'],
  ['GET', '/api/users/{userId}', 'admin'],
  ['PATCH', '/api/users/{userId}', 'admin'],
  ['DELETE', '/api/users/{userId}', 'admin'],
  ['POST', '/api/users/{userId}/reset-password', 'admin'],
  ['GET', '/api/api-keys', 'admin'],
  ['POST', '/api/api-keys', 'admin'],
  ['DELETE', '/api/api-keys/{keyId}', 'admin'],
  ['GET', '/api/audit', 'admin'],
];

/** The OpenAPI page, its assets and documents: outside the OpenAPI document, refused like a proctor route. */
const DOCS_PATHS = ['/api/docs', '/api/docs/', '/api/docs/swagger-ui-init.js', '/api/docs/swagger-ui-bundle.js', '/api/docs-json', '/api/docs-yaml'];

/** Fills `{param}` placeholders. */
function fill(path: string, ids: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const id = ids[name];
    if (id === undefined) throw new Error(`no id for ${name}`);
    return encodeURIComponent(id);
  });
}

describe.each(TEST_DATABASES)('control API over HTTP (%s)', (database) => {
  let server: TestServer;
  let admin: TestClient;
  let proctor: TestClient;
  let proctorId: string;
  let examA: { id: string };
  let examB: { id: string };
  let seatA: { id: string; examId: string; token: string };
  let seatA2: { id: string; examId: string; token: string };
  let seatB: { id: string; examId: string; token: string };
  let sentinelA: TestSentinel;
  let sentinelB: TestSentinel;
  let streamA: string;
  let streamB: string;
  let initFile: string;
  let keyId: string;

  beforeAll(async () => {
    server = await startTestServer(database);
    admin = await adminClient(server);
    examA = await createExam(admin, { name: 'Exam A', defaultFps: 2 });
    examB = await createExam(admin, { name: 'Exam B' });
    seatA = await createSeat(admin, examA.id, 'a-1');
    seatA2 = await createSeat(admin, examA.id, 'a-2');
    seatB = await createSeat(admin, examB.id, 'b-1');
    ({ client: proctor, userId: proctorId } = await proctorClient(admin, 'proctor.a@vigil.test', [examA.id]));
    sentinelA = await connectSentinel(server, seatA);
    sentinelB = await connectSentinel(server, seatB);
    streamA = sentinelA.streamId!;
    streamB = sentinelB.streamId!;
    await server.app.get(StreamRecordsService).flush();
    const index = await admin.get(`/api/recordings/${streamB}`);
    initFile = index.body.parts[0].init.file;
    keyId = (await admin.post('/api/api-keys', { name: 'table' })).body.apiKey.id;
  });

  afterAll(async () => {
    sentinelA?.socket.ws.close();
    sentinelB?.socket.ws.close();
    await server?.close();
  });

  /** Ids of exam B (the proctor's foreign exam) for every placeholder. */
  // alertId: no alert exists here; another exam's alert is covered by alerts/alerts-api.spec.ts
  const foreignIds = () => ({ examId: examB.id, seatId: seatB.id, streamId: streamB, userId: proctorId, keyId, file: initFile, alertId: '999999' });
  /** Ids of exam A (the proctor's own exam). */
  const ownIds = () => ({ examId: examA.id, seatId: seatA.id, streamId: streamA, userId: proctorId, keyId, file: initFile, alertId: '999999' });

  it('serves OpenAPI at /api/docs, and the route table above covers exactly its routes', async () => {
    const html = await proctor.get('/api/docs');
    expect(html.status).toBe(200);
    expect(html.text).toMatch(/swagger/i);
    const doc = await admin.get('/api/docs-json');
    const served = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(served).toEqual(ROUTES.map(([m, p]) => `${m} ${p}`).sort());
  });

  it('refuses every non-public route without credentials (401), also with a forged cookie or key', async () => {
    const anonymous = new TestClient(server);
    const forgedCookie = new TestClient(server);
    forgedCookie.cookie = 'vigil_session=' + 'A'.repeat(43);
    const forgedKey = new TestClient(server, 'vgk_' + 'A'.repeat(43));
    for (const [method, path, who] of ROUTES) {
      if (who === 'public') continue;
      for (const client of [anonymous, forgedCookie, forgedKey]) {
        const res = await client.request(method, fill(path, foreignIds()), { body: {} });
        expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} 401`);
        expect(res.body.message).toMatch(/log in first/);
      }
    }
  });

  it('refuses the API docs without a login (VIGIL_API_DOCS=login, the default): 401, also with a forged cookie or key', async () => {
    const anonymous = new TestClient(server);
    const forgedCookie = new TestClient(server);
    forgedCookie.cookie = 'vigil_session=' + 'A'.repeat(43);
    const forgedKey = new TestClient(server, 'vgk_' + 'A'.repeat(43));
    const apiKey = new TestClient(server, (await admin.post('/api/api-keys', { name: 'docs' })).body.key);
    for (const path of DOCS_PATHS) {
      for (const client of [anonymous, forgedCookie, forgedKey]) {
        const res = await client.get(path);
        expect(`GET ${path} ${res.status}`).toBe(`GET ${path} 401`);
        expect(res.body.message).toMatch(/log in first/);
      }
      for (const client of [proctor, admin, apiKey]) {
        const res = await client.get(path);
        expect(`GET ${path} ${res.status}`).toBe(`GET ${path} 200`);
      }
    }
  });

  it('refuses proctors on every admin route (403), even for their own exam', async () => {
    for (const [method, path, who] of ROUTES) {
      if (who !== 'admin') continue;
      const res = await proctor.request(method, fill(path, ownIds()), { body: {} });
      expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} 403`);
      expect(res.body.message).toMatch(/admins only/);
    }
  });

  it("answers 404 to a proctor for everything of another exam, guessed stream ids included, as for missing ids", async () => {
    for (const [method, path, who] of ROUTES) {
      if (who !== 'proctor' || !path.includes('{')) continue;
      // a valid body where the route takes one, so the answer is about the id
      const options = path.endsWith('/share') ? { body: { fromMs: 0, toMs: 1 } } : path.endsWith('/ack') ? { body: { note: '' } } : path.endsWith('/events') && method === 'POST' ? { body: { atMs: 0, kind: 'flag', text: '' } } : {};
      const foreign = await proctor.request(method, fill(path, foreignIds()), options);
      expect(`${method} ${path} ${foreign.status}`).toBe(`${method} ${path} 404`);
      const missing = await proctor.request(method, fill(path, { ...foreignIds(), examId: 'no-such-exam', seatId: 'no-such-seat', streamId: 'no-such-stream' }), options);
      expect(missing.status).toBe(404);
      // the two answers differ only in the id they quote: nothing tells them apart
      expect(foreign.body.error).toBe(missing.body.error);
    }
    // a seat of exam B reached through exam A's path
    expect((await proctor.get(`/api/exams/${examA.id}/seats/${seatB.id}`)).status).toBe(404);
    // lists leave exam B out
    expect((await proctor.get('/api/exams')).body.map((e: { id: string }) => e.id)).toEqual([examA.id]);
    expect((await proctor.get('/api/streams')).body.map((s: { streamId: string }) => s.streamId)).toEqual([streamA]);
    expect((await proctor.get('/api/recordings')).body.map((s: { streamId: string }) => s.streamId)).toEqual([streamA]);
    // the admin sees both
    expect((await admin.get('/api/streams')).body.map((s: { streamId: string }) => s.streamId).sort()).toEqual([streamA, streamB].sort());
    expect((await admin.get(`/api/streams/${streamB}`)).status).toBe(200);
  });

  it("gives a proctor their exam: exam, seats with live status, streams, history, recordings, keyframe requests", async () => {
    expect((await proctor.get(`/api/exams/${examA.id}`)).body).toMatchObject({ id: examA.id, name: 'Exam A', defaultFps: 2 });
    const seats = (await proctor.get(`/api/exams/${examA.id}/seats`)).body;
    expect(seats).toEqual([
      expect.objectContaining({ id: seatA.id, studentId: 'a-1', status: 'streaming', liveStreamId: streamA, lastSeenAtMs: expect.any(Number) }),
      expect.objectContaining({ id: seatA2.id, studentId: 'a-2', status: 'never-connected', liveStreamId: null, lastSeenAtMs: null }),
    ]);
    expect(seats[0].token).toBeUndefined(); // proctors never see seat tokens
    expect((await proctor.get(`/api/exams/${examA.id}/seats/${seatA.id}`)).body).toMatchObject({ status: 'streaming' });
    // the exam's default frame rate reached the new stream
    expect(sentinelA.first).toMatchObject({ type: 'welcome', fps: 2 });
    expect((await proctor.get(`/api/streams/${streamA}`)).body).toMatchObject({ streamId: streamA, examId: examA.id, seatId: seatA.id, state: 'live', fps: 2, width: 1280, height: 720 });
    const streams = (await proctor.get(`/api/exams/${examA.id}/streams`)).body;
    expect(streams).toEqual([expect.objectContaining({ streamId: streamA, state: 'live', encoder: 'webcodecs', width: 1280, height: 720, codec: expect.stringMatching(/^avc1\./) })]);
    const history = (await proctor.get(`/api/streams/${streamA}/history`)).body;
    expect(history.history.map((h: { kind: string }) => h.kind)).toEqual(expect.arrayContaining(['state', 'fps', 'resolution']));
    expect((await proctor.post(`/api/streams/${streamA}/keyframe`)).status).toBe(202);
    await sentinelA.socket.until(() => sentinelA.socket.texts.some((t) => t.type === 'keyframe'), 'keyframe');
    expect((await proctor.get(`/api/recordings/${streamA}`)).body.meta).toMatchObject({ examId: examA.id, seatId: seatA.id });
    const mp4 = await proctor.get(`/api/recordings/${streamA}/recording.mp4`);
    expect(mp4.status).toBe(200);
    expect(mp4.headers.get('content-type')).toBe('video/mp4');
    expect((await proctor.get(`/api/recordings/${streamA}/files/${initFile}`)).status).toBe(200);
    const me = (await proctor.get('/api/auth/me')).body;
    expect(me).toMatchObject({ via: 'session', mustChangePassword: false, user: { role: 'proctor', email: 'proctor.a@vigil.test', examIds: [examA.id] } });
    expect(me.user.passwordHash).toBeUndefined();
  });

  it('exams: create, read, update, delete; bad input is a 400 that names the field', async () => {
    const now = Date.now();
    const created = await admin.post('/api/exams', { name: ' Physics ', startsAtMs: now, endsAtMs: now + 3600_000 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Physics', defaultFps: 1, retentionDays: 30, startsAtMs: now, endsAtMs: now + 3600_000 });
    const id = created.body.id as string;
    expect((await admin.get(`/api/exams/${id}`)).body.name).toBe('Physics');
    const patched = await admin.patch(`/api/exams/${id}`, { name: 'Physics II', defaultFps: 0.5, retentionDays: 7 });
    expect(patched.body).toMatchObject({ name: 'Physics II', defaultFps: 0.5, retentionDays: 7 });
    expect((await admin.get('/api/exams')).body.map((e: { id: string }) => e.id)).toContain(id);
    const cases: [unknown, RegExp][] = [
      [{ startsAtMs: now, endsAtMs: now + 1 }, /name must be 1 to 200 characters/],
      [{ name: 'x', startsAtMs: 'soon', endsAtMs: now }, /startsAtMs must be a whole number/],
      [{ name: 'x', startsAtMs: now, endsAtMs: now - 1 }, /endsAtMs must be after startsAtMs/],
      [{ name: 'x', startsAtMs: now, endsAtMs: now + 1, defaultFps: 9 }, /defaultFps must be at most 5/],
      [{ name: 'x', startsAtMs: now, endsAtMs: now + 1, defaultFps: 0.1 }, /defaultFps must be at least 0.2/],
      [{ name: 'x', startsAtMs: now, endsAtMs: now + 1, retentionDays: 0 }, /retentionDays must be at least 1/],
      [{ name: 'x', startsAtMs: now, endsAtMs: now + 1, owner: 'me' }, /property owner should not exist/],
    ];
    for (const [body, message] of cases) {
      const res = await admin.post('/api/exams', body);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.message)).toMatch(message);
    }
    expect((await admin.patch(`/api/exams/${id}`, { endsAtMs: now - 10 })).body.message).toMatch(/endsAtMs must be after startsAtMs/);
    expect((await admin.patch('/api/exams/nope', { name: 'y' })).status).toBe(404);
    // deleting takes the exam's seats and assignments along (foreign keys on both databases)
    await createSeat(admin, id, 'doomed');
    expect((await admin.put(`/api/exams/${id}/proctors/${proctorId}`)).status).toBe(204);
    expect((await admin.get(`/api/users/${proctorId}`)).body.examIds).toContain(id);
    expect((await admin.delete(`/api/exams/${id}`)).status).toBe(204);
    expect((await admin.get(`/api/exams/${id}`)).status).toBe(404);
    expect((await admin.get(`/api/users/${proctorId}`)).body.examIds).toEqual([examA.id]);
    expect(await databaseOf(server).db.selectFrom('seats').select('id').where('examId', '=', id).execute()).toEqual([]);
    expect((await admin.delete(`/api/exams/${id}`)).status).toBe(404);
  });

  it('seats: CRUD, CSV import (all or nothing), kiosk URLs, revocation', async () => {
    const exam = await createExam(admin, { name: 'Seats' });
    const created = await admin.post(`/api/exams/${exam.id}/seats`, { studentId: 's1', displayName: 'Ada' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ studentId: 's1', displayName: 'Ada', status: 'never-connected' });
    // the token rides in the fragment: never in a request line, a server log or a Referer
    expect(created.body.kioskUrl).toBe(`${server.base}/sentinel/?exam=${exam.id}&seat=${created.body.id}#token=${encodeURIComponent(created.body.token)}`);
    const seatId = created.body.id as string;
    expect((await admin.post(`/api/exams/${exam.id}/seats`, { studentId: 's1', displayName: 'Again' })).status).toBe(409);
    expect((await admin.post(`/api/exams/${exam.id}/seats`, { studentId: '', displayName: 'x' })).body.message).toEqual(
      expect.arrayContaining([expect.stringMatching(/^studentId must/)]),
    );
    expect((await admin.post(`/api/exams/${exam.id}/seats`, { studentId: 'ok' })).body.message).toEqual(expect.arrayContaining([expect.stringMatching(/^displayName/)]));
    expect((await admin.patch(`/api/exams/${exam.id}/seats/${seatId}`, { displayName: 'Ada L.' })).body.displayName).toBe('Ada L.');

    // CSV import: header aliases, BOM, semicolons, updates and creates
    const imported = await admin.request('POST', `/api/exams/${exam.id}/seats/import`, { csv: '\ufeffstudent_id;name;email\ns1;Ada Lovelace;a@x\ns2;Alan Turing;b@x\ns3;"Grace, Hopper";c@x\n' });
    expect(imported.status).toBe(200);
    expect(imported.body).toEqual({ created: 2, updated: 1, unchanged: 0, total: 3 });
    const again = await admin.request('POST', `/api/exams/${exam.id}/seats/import`, { csv: 'studentId,displayName\ns2,Alan Turing\n' });
    expect(again.body).toEqual({ created: 0, updated: 0, unchanged: 1, total: 1 });
    // a bad line refuses the whole file
    const bad = await admin.request('POST', `/api/exams/${exam.id}/seats/import`, { csv: 'studentId,displayName\ns4,Fine\n,No id\n' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^line 3: studentId/);
    const dup = await admin.request('POST', `/api/exams/${exam.id}/seats/import`, { csv: 'studentId,displayName\ns5,A\ns5,B\n' });
    expect(dup.body.message).toMatch(/line 3: studentId s5 already appears on line 2/);
    expect((await admin.request('POST', `/api/exams/${exam.id}/seats/import`, { csv: 'who,what\n1,2\n' })).body.message).toMatch(/line 1: the header must name/);
    expect((await admin.post(`/api/exams/${exam.id}/seats/import`, { csv: 'x' })).body.message).toMatch(/content-type: text\/csv/);
    const seats = (await admin.get(`/api/exams/${exam.id}/seats`)).body as { studentId: string; displayName: string }[];
    expect(seats.map((s) => [s.studentId, s.displayName])).toEqual([['s1', 'Ada Lovelace'], ['s2', 'Alan Turing'], ['s3', 'Grace, Hopper']]);

    // export: one kiosk URL per seat
    const csv = await admin.get(`/api/exams/${exam.id}/seats/kiosk-urls.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment/);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('studentId,displayName,seatId,kioskUrl');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(/^s3,"Grace, Hopper",[0-9a-f-]{36},http:\/\/127\.0\.0\.1:\d+\/sentinel\/\?exam=[^,#]+&seat=[0-9a-f-]{36}#token=v1\.[A-Za-z0-9_.-]+$/);

    // kiosk URL, then revocation: a new token, the old one refused by the Sentinel gateway
    const url = (await admin.get(`/api/exams/${exam.id}/seats/${seatId}/kiosk-url`)).body;
    expect(url).toMatchObject({ seatId, examId: exam.id, token: created.body.token, expiresAtMs: exam.endsAtMs });
    const revoked = (await admin.post(`/api/exams/${exam.id}/seats/${seatId}/revoke-token`)).body;
    expect(revoked.token).not.toBe(url.token);
    const old = await connectSentinel(server, { id: seatId, examId: exam.id, token: url.token });
    expect(old.first).toMatchObject({ type: 'error', code: 'auth-failed', message: expect.stringMatching(/revoked/) });
    const fresh = await connectSentinel(server, { id: seatId, examId: exam.id, token: revoked.token });
    expect(fresh.first.type).toBe('welcome');

    // deleting the seat stops its connected Sentinel for good: `stop`, then a normal close
    expect((await admin.delete(`/api/exams/${exam.id}/seats/${seatId}`)).status).toBe(204);
    expect(await fresh.socket.closed).toBe(1000);
    expect(fresh.socket.texts.filter((t) => t.type === 'stop')).toEqual([{ type: 'stop', reason: 'seat-deleted', message: expect.stringMatching(/removed from the exam/) }]);
    expect((await admin.get(`/api/exams/${exam.id}/seats/${seatId}`)).status).toBe(404);
    const gone = await connectSentinel(server, { id: seatId, examId: exam.id, token: revoked.token });
    expect(gone.first).toMatchObject({ type: 'error', code: 'auth-failed', message: expect.stringMatching(/no longer exists/) });
  });

  it('users: create with a one-time password, assign to exams, update, reset, delete; admins cannot lock themselves out', async () => {
    const created = await admin.post('/api/users', { email: 'New.Proctor@Vigil.test', displayName: 'New' });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ email: 'new.proctor@vigil.test', role: 'proctor', mustChangePassword: true, disabled: false, examIds: [] });
    expect(created.body.oneTimePassword).toMatch(/^[A-Za-z0-9]{20}$/);
    const id = created.body.user.id as string;
    expect((await admin.post('/api/users', { email: 'new.proctor@vigil.test' })).status).toBe(409);
    expect((await admin.post('/api/users', { email: 'not-an-email' })).body.message).toEqual(expect.arrayContaining([expect.stringMatching(/^email must be an e-mail/)]));
    expect((await admin.post('/api/users', { email: 'x@y.org', role: 'root' })).body.message).toEqual(expect.arrayContaining(['role must be admin or proctor']));

    expect((await admin.put(`/api/exams/${examB.id}/proctors/${id}`)).status).toBe(204);
    expect((await admin.put(`/api/exams/${examB.id}/proctors/${id}`)).status).toBe(204); // idempotent
    expect((await admin.get(`/api/exams/${examB.id}/proctors`)).body.map((u: { id: string }) => u.id)).toEqual([id]);
    expect((await admin.get(`/api/users/${id}`)).body.examIds).toEqual([examB.id]);
    const adminId = (await admin.get('/api/auth/me')).body.user.id as string;
    expect((await admin.put(`/api/exams/${examB.id}/proctors/${adminId}`)).body.message).toMatch(/admins see every exam/);
    expect((await admin.put(`/api/exams/${examB.id}/proctors/nobody`)).status).toBe(404);
    expect((await admin.delete(`/api/exams/${examB.id}/proctors/${id}`)).status).toBe(204);
    expect((await admin.get(`/api/exams/${examB.id}/proctors`)).body).toEqual([]);

    expect((await admin.patch(`/api/users/${id}`, { displayName: 'Renamed', disabled: true })).body).toMatchObject({ displayName: 'Renamed', disabled: true });
    const login = await new TestClient(server).post('/api/auth/login', { email: 'new.proctor@vigil.test', password: created.body.oneTimePassword });
    expect(login.status).toBe(401); // disabled
    await admin.patch(`/api/users/${id}`, { disabled: false });
    const reset = await admin.post(`/api/users/${id}/reset-password`);
    expect(reset.body.oneTimePassword).toMatch(/^[A-Za-z0-9]{20}$/);
    expect((await new TestClient(server).post('/api/auth/login', { email: 'new.proctor@vigil.test', password: created.body.oneTimePassword })).status).toBe(401);
    expect((await new TestClient(server).post('/api/auth/login', { email: 'new.proctor@vigil.test', password: reset.body.oneTimePassword })).status).toBe(200);
    expect((await admin.patch(`/api/users/${id}`, { role: 'boss' })).body.message).toEqual(expect.arrayContaining(['role must be admin or proctor']));

    expect((await admin.patch(`/api/users/${adminId}`, { disabled: true })).status).toBe(409);
    expect((await admin.patch(`/api/users/${adminId}`, { role: 'proctor' })).body.message).toMatch(/cannot demote yourself/);
    expect((await admin.delete(`/api/users/${adminId}`)).status).toBe(409);
    expect((await admin.get('/api/users')).body.map((u: { email: string }) => u.email)).toEqual(expect.arrayContaining(['admin@vigil.test', 'new.proctor@vigil.test', 'proctor.a@vigil.test']));
    expect((await admin.delete(`/api/users/${id}`)).status).toBe(204);
    expect((await admin.get(`/api/users/${id}`)).status).toBe(404);
  });

  it('API keys: shown once, stored hashed, act as their admin, revocable', async () => {
    const created = await admin.post('/api/api-keys', { name: 'ci export' });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    expect(key).toMatch(/^vgk_[A-Za-z0-9_-]{43}$/);
    expect(created.body.apiKey).toMatchObject({ name: 'ci export', prefix: key.slice(0, 12), createdBy: 'admin@vigil.test', revokedAtMs: null });
    const listed = (await admin.get('/api/api-keys')).body as Record<string, unknown>[];
    expect(JSON.stringify(listed)).not.toContain(key);
    const script = new TestClient(server, key);
    expect((await script.get('/api/auth/me')).body).toMatchObject({ via: 'api-key', user: { email: 'admin@vigil.test' } });
    expect((await script.get('/api/users')).status).toBe(200);
    // scripts send no Origin and need none
    expect((await script.post('/api/exams', { name: 'by script', startsAtMs: 1, endsAtMs: 2 }, { headers: { origin: 'http://evil.example' } })).status).toBe(201);
    expect((await admin.post('/api/api-keys', { name: '' })).body.message).toEqual(['name must be 1 to 100 characters']);
    expect((await admin.delete(`/api/api-keys/${created.body.apiKey.id}`)).status).toBe(204);
    expect((await admin.delete(`/api/api-keys/${created.body.apiKey.id}`)).status).toBe(204); // idempotent
    expect((await admin.delete('/api/api-keys/nope')).status).toBe(404);
    expect((await script.get('/api/users')).status).toBe(401);
    expect((await admin.get('/api/api-keys')).body.find((k: { id: string }) => k.id === created.body.apiKey.id).revokedAtMs).toEqual(expect.any(Number));
    // a key dies with its admin's rights
    const other = await admin.post('/api/users', { email: 'second.admin@vigil.test', role: 'admin' });
    const second = new TestClient(server);
    await second.login('second.admin@vigil.test', other.body.oneTimePassword, 'another long password');
    const secondKey = (await second.post('/api/api-keys', { name: 'theirs' })).body.key as string;
    expect((await new TestClient(server, secondKey).get('/api/users')).status).toBe(200);
    await admin.patch(`/api/users/${other.body.user.id}`, { role: 'proctor' });
    expect((await new TestClient(server, secondKey).get('/api/users')).status).toBe(401);
    expect((await second.get('/api/users')).status).toBe(401); // demotion ended the session too
  });

  it('live control: exam-wide and per-stream frame rate, end a stream; every action audited', async () => {
    const fps = await admin.put(`/api/exams/${examA.id}/fps`, { fps: 4 });
    expect(fps.body).toEqual({ fps: 4, streams: 1, applied: 1 });
    await sentinelA.socket.until(() => sentinelA.socket.texts.some((t) => t.type === 'set-fps' && t.fps === 4), 'set-fps 4');
    expect((await admin.put(`/api/exams/${examA.id}/fps`, { fps: 6 })).body.message).toEqual(['fps must be at most 5']);
    expect((await admin.put(`/api/streams/${streamA}/fps`, { fps: 0.5 })).body).toEqual({ fps: 0.5, applied: true });
    await sentinelA.socket.until(() => sentinelA.socket.texts.some((t) => t.type === 'set-fps' && t.fps === 0.5), 'set-fps 0.5');
    await server.app.get(StreamRecordsService).flush();
    const history = (await admin.get(`/api/streams/${streamA}/history`)).body.history as { kind: string; fps?: number }[];
    expect(history.filter((h) => h.kind === 'fps').map((h) => h.fps)).toEqual([2, 4, 0.5]);

    // end: B's stream leaves the relay, its Sentinel is told to stop (and closed normally), its record says ended
    expect((await admin.post(`/api/streams/${streamB}/end`)).body).toEqual({ ended: true });
    expect(await sentinelB.socket.closed).toBe(1000);
    expect(sentinelB.socket.texts.at(-1)).toEqual({ type: 'stop', reason: 'admin', message: expect.stringMatching(/exam staff ended/) });
    expect((await admin.get(`/api/streams/${streamB}`)).status).toBe(404);
    await server.app.get(StreamRecordsService).flush();
    const ended = (await admin.get(`/api/streams/${streamB}/history`)).body;
    expect(ended).toMatchObject({ state: 'ended', endedAtMs: expect.any(Number) });
    expect(ended.history.at(-1)).toMatchObject({ kind: 'state', state: 'ended', reason: 'admin' });
    expect((await admin.post('/api/streams/nope/end')).status).toBe(404);

    const audit = (await admin.get('/api/audit?limit=500')).body as { action: string; actor: string; targetId: string | null; details: Record<string, unknown> }[];
    const actions = audit.map((a) => a.action);
    for (const action of ['exam.fps', 'stream.fps', 'stream.end', 'stream.keyframe', 'exam.create', 'seat.create', 'user.create', 'exam.proctor-assign', 'api-key.create', 'auth.login']) {
      expect(actions).toContain(action);
    }
    expect(audit.find((a) => a.action === 'exam.fps')).toMatchObject({ actor: 'admin@vigil.test', targetId: examA.id, details: { fps: 4, applied: 1 } });
    expect(audit.find((a) => a.action === 'stream.keyframe')).toMatchObject({ actor: 'proctor.a@vigil.test', targetId: streamA });
    const filtered = (await admin.get('/api/audit?action=stream.end')).body;
    expect(filtered).toEqual([expect.objectContaining({ action: 'stream.end', targetId: streamB })]);
    const page = (await admin.get('/api/audit?limit=2')).body;
    expect(page).toHaveLength(2);
    const next = (await admin.get(`/api/audit?limit=2&beforeId=${page[1].id}`)).body;
    expect(next[0].id).toBeLessThan(page[1].id);
    expect((await admin.get('/api/audit?limit=lots')).body.message).toEqual(expect.arrayContaining(['limit must be a whole number']));
    expect((await admin.get(`/api/audit?targetId=${seatA2.id}`)).body).toEqual([expect.objectContaining({ action: 'seat.create' })]);
  });

  it('the end of the exam window stops its live streams (stop exam-over, audited by system); other exams stream on', async () => {
    const exam = await createExam(admin, { name: 'Short exam', endsAtMs: Date.now() + 60_000 }); // before exam A's end
    const seat = await createSeat(admin, exam.id, 'short-1');
    const sentinel = await connectSentinel(server, seat);
    expect(sentinel.first.type).toBe('welcome');
    const windows = server.app.get(ExamWindowService);
    expect(await windows.check(exam.endsAtMs - 1)).toEqual([]); // not over yet
    expect(sentinel.socket.texts.some((t) => t.type === 'stop')).toBe(false);
    expect(await windows.check(exam.endsAtMs)).toEqual([sentinel.streamId]);
    expect(await sentinel.socket.closed).toBe(1000);
    expect(sentinel.socket.texts.at(-1)).toEqual({ type: 'stop', reason: 'exam-over', message: expect.stringMatching(/exam window has closed.*ended \d{4}-/) });
    expect((await admin.get(`/api/streams/${sentinel.streamId}`)).status).toBe(404);
    expect((await admin.get(`/api/streams/${streamA}`)).body).toMatchObject({ state: 'live' }); // exam A runs on
    const audit = (await admin.get(`/api/audit?action=stream.end&targetId=${sentinel.streamId}`)).body;
    expect(audit).toEqual([expect.objectContaining({ actor: 'system', details: { reason: 'exam-over', examId: exam.id, endsAtMs: exam.endsAtMs } })]);
  });

  it('proctor WebSocket: the stream list and subscriptions cover the assigned exams only', async () => {
    const ws = await openSocket(server, '/ws/proctor', parseServerToProctor, browserHeaders(proctor));
    await ws.until(() => ws.texts.length > 0, 'streams');
    const first = ws.texts[0];
    expect(first.type === 'streams' && first.streams.map((s) => s.examId)).toEqual([examA.id]);
    ws.ws.send(JSON.stringify({ type: 'subscribe', streamId: streamB }));
    await ws.until(() => ws.texts.some((t) => t.type === 'error'), 'error');
    expect(ws.texts.find((t) => t.type === 'error')).toMatchObject({ code: 'unknown-stream', fatal: false });
    ws.ws.send(JSON.stringify({ type: 'subscribe', streamId: streamA }));
    await ws.until(() => ws.texts.some((t) => t.type === 'subscribed'), 'subscribed');
    ws.ws.close();
  });
});
