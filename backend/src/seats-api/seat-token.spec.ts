import { createHmac } from 'node:crypto';
import { ProtocolError, type HelloMessage } from '@vigil/protocol';
import { SeatTokenError, seatTokenAdmission, seatTokenKey, signSeatToken, verifySeatToken } from './seat-token';
import { kioskUrlOf } from './seat-token.service';
import { SeatTokenService } from './seat-token.service';
import { SERVER_TEST_TIMEOUT_MS, TEST_DATABASES, TestClient, TestServer, adminClient, connectSentinel, createExam, createSeat, startTestServer } from '../testing/test-server';

jest.setTimeout(SERVER_TEST_TIMEOUT_MS);

describe('seat tokens (pure)', () => {
  const key = seatTokenKey('x'.repeat(64));
  const claims = { examId: 'exam-1', seatId: 'seat-1', version: 3 };

  it('round-trips and fits the protocol: visible ASCII, under 1024 characters, URL-safe', () => {
    const token = signSeatToken(key, claims);
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifySeatToken(key, token)).toEqual(claims);
    const long = signSeatToken(key, { examId: 'e'.repeat(128), seatId: 's'.repeat(128), version: Number.MAX_SAFE_INTEGER });
    expect(long.length).toBeLessThan(1024);
  });

  it('refuses another key, a changed payload or signature, and malformed tokens', () => {
    const token = signSeatToken(key, claims);
    const [, payload, signature] = token.split('.');
    const otherPayload = Buffer.from(JSON.stringify({ e: 'exam-1', s: 'seat-2', v: 3 })).toString('base64url');
    const problem = (t: string, k = key) => {
      try {
        verifySeatToken(k, t);
        return 'ok';
      } catch (e) {
        return (e as SeatTokenError).problem;
      }
    };
    expect(problem(token, seatTokenKey('y'.repeat(64)))).toBe('bad-signature');
    expect(problem(`v1.${otherPayload}.${signature}`)).toBe('bad-signature');
    expect(problem(`v1.${payload}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`)).toBe('bad-signature');
    expect(problem(`v2.${payload}.${signature}`)).toBe('malformed');
    expect(problem(`v1.${payload}`)).toBe('malformed');
    expect(problem('dev-token')).toBe('malformed');
    expect(problem(`v1.${payload}.${signature}.x`)).toBe('malformed');
    // a validly signed payload without the fields is still refused
    const odd = Buffer.from(JSON.stringify({ e: '../etc', s: 'seat', v: 1 })).toString('base64url');
    const oddToken = `v1.${odd}.${createHmac('sha256', key).update('vigil-seat-token.v1.' + odd).digest('base64url')}`;
    expect(problem(oddToken)).toBe('malformed');
  });
});

describe('seat token time window (pure): not-before, end, upload grace', () => {
  const H = 3_600_000;
  const exam = { startsAtMs: 10 * H, endsAtMs: 12 * H };
  const times = { earlyMs: 30 * 60_000, uploadGraceMs: 24 * H };
  const at = (ms: number, hello: { uploadOnly?: boolean; streamId?: string } = {}) => seatTokenAdmission(ms, exam, times, hello);

  it('opens earlyMs before the start (not-before), and says when it opens', () => {
    const opens = exam.startsAtMs - times.earlyMs;
    expect(at(opens - 1)).toEqual({
      kind: 'refused',
      message: `this seat token is not valid yet: it opens at ${new Date(opens).toISOString()} (30 min before the exam starts at ${new Date(exam.startsAtMs).toISOString()}); reload the page then`,
    });
    // an upload-only hello gets no earlier entry
    expect(at(opens - 1, { uploadOnly: true, streamId: 's' }).kind).toBe('refused');
    expect(at(opens)).toEqual({ kind: 'capture' });
    expect(at(exam.endsAtMs - 1)).toEqual({ kind: 'capture' });
    expect(seatTokenAdmission(exam.startsAtMs - 1, exam, { ...times, earlyMs: 0 }, {}).kind).toBe('refused');
  });

  it('after the end: capture refused ("the exam is over"), upload-only resumes let in for the grace', () => {
    expect(at(exam.endsAtMs)).toEqual({ kind: 'refused', message: expect.stringMatching(/expired when the exam window ended \(.*\): the exam is over/) });
    expect(at(exam.endsAtMs, { uploadOnly: true, streamId: 's' })).toEqual({ kind: 'upload-only' });
    expect(at(exam.endsAtMs + times.uploadGraceMs - 1, { uploadOnly: true, streamId: 's' })).toEqual({ kind: 'upload-only' });
    expect(at(exam.endsAtMs + times.uploadGraceMs, { uploadOnly: true, streamId: 's' })).toEqual({ kind: 'refused', message: expect.stringMatching(/upload grace of 24 h is over/) });
    // upload-only needs the stream it continues
    expect(at(exam.endsAtMs, { uploadOnly: true })).toEqual({ kind: 'refused', message: expect.stringMatching(/upload grace/) });
    expect(at(exam.endsAtMs, { uploadOnly: true, streamId: '' }).kind).toBe('refused');
    expect(at(exam.endsAtMs, { streamId: 's' }).kind).toBe('refused');
  });

  it('kiosk URLs carry the token in the fragment, never in the query', () => {
    const url = new URL(kioskUrlOf('https://p.example.org', 'e-1', 's:1', 'v1.abc.def'));
    expect(url.href).toBe('https://p.example.org/sentinel/?exam=e-1&seat=s%3A1#token=v1.abc.def');
    expect(url.searchParams.has('token')).toBe(false);
    expect(new URLSearchParams(url.hash.slice(1)).get('token')).toBe('v1.abc.def');
  });
});

describe.each(TEST_DATABASES)('Sentinel hello with seat tokens over WebSocket (%s)', (database) => {
  let server: TestServer;
  let admin: TestClient;
  let exam: { id: string };
  let seat: { id: string; examId: string; token: string };
  let otherSeat: { id: string; examId: string; token: string };
  let otherExamSeat: { id: string; examId: string; token: string };

  beforeAll(async () => {
    server = await startTestServer(database);
    admin = await adminClient(server);
    exam = await createExam(admin);
    seat = await createSeat(admin, exam.id, 'tok-1');
    otherSeat = await createSeat(admin, exam.id, 'tok-2');
    otherExamSeat = await createSeat(admin, (await createExam(admin)).id, 'tok-3');
  });

  afterAll(async () => {
    await server.close();
  });

  /** Says hello and expects a fatal error with this code and message, then close 1008. */
  async function refused(options: Parameters<typeof connectSentinel>[2], target = seat): Promise<{ code: string; message: string }> {
    const s = await connectSentinel(server, target, options);
    expect(s.streamId).toBeNull();
    expect(await s.socket.closed).toBe(1008);
    if (s.first.type !== 'error') throw new Error(`expected an error, got ${s.first.type}`);
    expect(s.first.fatal).toBe(true);
    return { code: s.first.code, message: s.first.message };
  }

  it('accepts the seat’s own token and streams', async () => {
    const s = await connectSentinel(server, seat);
    expect(s.first).toMatchObject({ type: 'welcome', lastAckedSequence: 0 });
    s.socket.ws.close();
  });

  it('refuses a token with a wrong signature', async () => {
    const [v, payload, sig] = seat.token.split('.');
    const forged = `${v}.${payload}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`;
    expect(await refused({ token: forged })).toEqual({ code: 'auth-failed', message: expect.stringMatching(/signature is not valid/) });
  });

  it('refuses a malformed or made-up token', async () => {
    expect(await refused({ token: 'dev-token' })).toEqual({ code: 'auth-failed', message: expect.stringMatching(/malformed/) });
  });

  it("refuses another seat's token (same exam) and another exam's token", async () => {
    expect(await refused({ token: otherSeat.token })).toEqual({ code: 'auth-failed', message: expect.stringMatching(/another seat or exam/) });
    expect(await refused({ token: otherExamSeat.token })).toEqual({ code: 'auth-failed', message: expect.stringMatching(/another seat or exam/) });
    // a valid token with the ids of another seat in the hello
    expect(await refused({ seatId: otherSeat.id })).toEqual({ code: 'auth-failed', message: expect.stringMatching(/another seat or exam/) });
  });

  it('refuses a revoked token and accepts the new one', async () => {
    const s = await createSeat(admin, exam.id, 'tok-revoke');
    const live = await connectSentinel(server, s);
    expect(live.first.type).toBe('welcome');
    const fresh = (await admin.post(`/api/exams/${exam.id}/seats/${s.id}/revoke-token`)).body;
    // revocation ended the live stream
    expect((await admin.get(`/api/streams/${live.streamId}`)).status).toBe(404);
    live.socket.ws.close();
    expect(await refused({}, s)).toEqual({ code: 'auth-failed', message: expect.stringMatching(/revoked/) });
    const again = await connectSentinel(server, { ...s, token: fresh.token });
    expect(again.first.type).toBe('welcome');
    again.socket.ws.close();
  });

  it('refuses every token of an exam whose window is over, and accepts it again when the window is extended', async () => {
    const e = await createExam(admin);
    const s = await createSeat(admin, e.id, 'tok-late');
    const now = Date.now();
    await admin.patch(`/api/exams/${e.id}`, { startsAtMs: now - 7200_000, endsAtMs: now - 1000 });
    expect(await refused({}, s)).toEqual({ code: 'auth-failed', message: expect.stringMatching(/expired when the exam window ended/) });
    await admin.patch(`/api/exams/${e.id}`, { endsAtMs: now + 3600_000 });
    const ok = await connectSentinel(server, s);
    expect(ok.first.type).toBe('welcome');
    ok.socket.ws.close();
  });

  it('refuses a hello before the token opens (exam start minus VIGIL_SEAT_EARLY_MINUTES), saying when it opens', async () => {
    const now = Date.now();
    const e = await createExam(admin, { startsAtMs: now + 2 * 3600_000, endsAtMs: now + 4 * 3600_000 });
    const s = await createSeat(admin, e.id, 'tok-early');
    const opens = new Date(now + 2 * 3600_000 - 30 * 60_000).toISOString();
    expect(await refused({}, s)).toEqual({ code: 'auth-failed', message: `this seat token is not valid yet: it opens at ${opens} (30 min before the exam starts at ${new Date(now + 2 * 3600_000).toISOString()}); reload the page then` });
    // 10 min before the start: inside the 30 min early window
    await admin.patch(`/api/exams/${e.id}`, { startsAtMs: now + 10 * 60_000 });
    const ok = await connectSentinel(server, s);
    expect(ok.first.type).toBe('welcome');
    ok.socket.ws.close();
  });

  it('refuses tokens of a deleted seat or exam', async () => {
    const e = await createExam(admin);
    const s = await createSeat(admin, e.id, 'tok-gone');
    await admin.delete(`/api/exams/${e.id}`);
    expect(await refused({}, s)).toEqual({ code: 'auth-failed', message: expect.stringMatching(/no longer exists/) });
  });

  it('refuses a token signed with another server secret', async () => {
    const foreign = signSeatToken(seatTokenKey('another server secret, 32+ chars long'), { examId: seat.examId, seatId: seat.id, version: 1 });
    expect(await refused({ token: foreign })).toEqual({ code: 'auth-failed', message: expect.stringMatching(/signature/) });
  });

  it('refuses a missing token with auth-required', async () => {
    // over the real socket: a kiosk URL without #token= sends an empty token
    expect(await refused({ token: '' })).toEqual({ code: 'auth-required', message: expect.stringMatching(/seat token is required/) });
    // and the authorizer itself
    const authorize = server.app.get(SeatTokenService).authorize;
    const hello = { type: 'hello', protocol: 1, token: '', examId: seat.examId, seatId: seat.id, encoder: 'webcodecs', userAgent: 'jest', capabilities: { encoders: ['webcodecs'] } } as HelloMessage;
    const error = await authorize(hello).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ code: 'auth-required', fatal: true, closeCode: 1008 });
    expect((error as Error).message).toMatch(/seat token is required/);
    await expect(authorize({ ...hello, token: seat.token })).resolves.toEqual({ examId: seat.examId, seatId: seat.id });
  });
});
