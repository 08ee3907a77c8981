import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { encodeControl, type EventMessage, type ServerToSentinelMessage } from '@vigil/protocol';
import { AlertsService } from '../alerts/alerts.service';
import {
  SERVER_TEST_TIMEOUT_MS,
  TestClient,
  TestServer,
  adminClient,
  connectSentinel,
  createExam,
  createSeat,
  proctorClient,
  startTestServer,
  type TestSentinel,
} from '../testing/test-server';

jest.setTimeout(SERVER_TEST_TIMEOUT_MS);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function within(ms: number, ok: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const start = Date.now();
  while (!(await ok())) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** Sends one Sentinel `event` (validated by encodeControl, like the Sentinel does). */
function sendEvent(sentinel: TestSentinel, event: Omit<EventMessage, 'type'>): void {
  sentinel.socket.ws.send(encodeControl({ type: 'event', ...event } as EventMessage));
}

const acked = (sentinel: TestSentinel, seq: number) => () =>
  sentinel.socket.texts.some((t: ServerToSentinelMessage) => t.type === 'event-ack' && t.seq === seq);

/**
 * The event track on a real server with real sockets and files (issue 11 parts 4 and 5):
 * Sentinel `event` messages (acknowledged, deduplicated, rate-limited, raising and clearing
 * alerts), an exam application's events with the seat token, proctors' flags and notes, the
 * time-range route, the incidents export, and who may do what.
 */
describe('event track: Sentinel events, exam application, proctor flags, alerts, incidents', () => {
  let server: TestServer;
  let admin: TestClient;
  let proctor: TestClient;
  let foreign: TestClient;
  let exam: { id: string };
  let seat: { id: string; examId: string; token: string };
  let sentinel: TestSentinel;
  let streamId: string;
  const track = async (id = streamId) => (await readFile(path.join(server.dataDir, 'streams', id, 'events.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    server = await startTestServer('sqlite', {
      VIGIL_ALERT_BLANK_SECONDS: '1',
      VIGIL_SENTINEL_EVENTS_PER_MINUTE: '30',
      VIGIL_EXAM_APP_EVENTS_PER_MINUTE: '5',
      VIGIL_STREAM_END_AFTER_MS: '600000',
    });
    admin = await adminClient(server);
    exam = await createExam(admin, { name: 'Events' });
    const other = await createExam(admin, { name: 'Other' });
    seat = await createSeat(admin, exam.id, 'ev-1');
    ({ client: proctor } = await proctorClient(admin, 'events.proctor@vigil.test', [exam.id]));
    ({ client: foreign } = await proctorClient(admin, 'events.other@vigil.test', [other.id]));
    sentinel = await connectSentinel(server, seat, { frames: 3 });
    streamId = sentinel.streamId!;
  });

  afterAll(async () => {
    sentinel?.socket.ws.close();
    await server?.close();
  });

  it('stores Sentinel events with their capture time, acknowledges each, drops a resent one', async () => {
    const t0 = Date.now();
    sendEvent(sentinel, { page: 'page-A', seq: 1, kind: 'reload', atMs: t0 - 50 });
    sendEvent(sentinel, { page: 'page-A', seq: 2, kind: 'capture-started', atMs: t0, detail: { width: 1920, height: 1080 } });
    sendEvent(sentinel, { page: 'page-A', seq: 2, kind: 'capture-started', atMs: t0, detail: { width: 1920, height: 1080 } }); // resent after a reconnect
    await within(3000, acked(sentinel, 2), 'event-ack 2');
    await within(3000, async () => (await track()).filter((l) => l['source'] === 'sentinel').length === 2, 'two sentinel lines');
    const lines = (await track()).filter((l) => l['source'] === 'sentinel');
    expect(lines).toEqual([
      expect.objectContaining({ atMs: t0 - 50, type: 'reload', page: 'page-A', seq: 1 }),
      expect.objectContaining({ atMs: t0, type: 'capture-started', width: 1920, height: 1080 }),
    ]);
    expect(typeof lines[1]!['receivedAtMs']).toBe('number');
    // the server's own events carry their source too
    expect((await track()).find((l) => l['type'] === 'connect')).toMatchObject({ source: 'server', resumed: false });
  });

  it('a blank screen raises screen-blank within VIGIL_ALERT_BLANK_SECONDS of its start, and it clears when the screen comes back', async () => {
    const alerts = server.app.get(AlertsService);
    sendEvent(sentinel, { page: 'page-A', seq: 3, kind: 'screen-blank', atMs: Date.now(), detail: { state: 'start', heldMs: 0, luma: 2 } });
    await within(3000, acked(sentinel, 3), 'event-ack 3');
    const startedAt = Date.now();
    alerts.check();
    expect((await proctor.get(`/api/exams/${exam.id}/alerts?open=true`)).body.filter((a: { kind: string }) => a.kind === 'screen-blank')).toEqual([]);
    await sleep(1100);
    alerts.check();
    const open = (await proctor.get(`/api/exams/${exam.id}/alerts?open=true`)).body.filter((a: { kind: string }) => a.kind === 'screen-blank');
    expect(open).toEqual([expect.objectContaining({ kind: 'screen-blank', streamId, clearedAtMs: null })]);
    expect(open[0].detail).toMatch(/^the screen has been blank \(black\) for \d+ s$/);
    expect(open[0].raisedAtMs - startedAt).toBeLessThan(2000);

    sendEvent(sentinel, { page: 'page-A', seq: 4, kind: 'screen-blank', atMs: Date.now(), detail: { state: 'end', heldMs: 1000 } });
    await within(3000, acked(sentinel, 4), 'event-ack 4');
    alerts.check();
    const after = (await proctor.get(`/api/exams/${exam.id}/alerts`)).body.find((a: { id: number }) => a.id === open[0].id);
    expect(after.clearedAtMs).not.toBeNull();
  });

  it('capture stopped and a screen change raise their alerts', async () => {
    const alerts = server.app.get(AlertsService);
    sendEvent(sentinel, { page: 'page-A', seq: 5, kind: 'capture-ended', atMs: Date.now(), detail: { reason: 'sharing stopped' } });
    sendEvent(sentinel, { page: 'page-A', seq: 6, kind: 'screen-size-changed', atMs: Date.now(), detail: { width: 1280, height: 1024 } });
    await within(3000, acked(sentinel, 6), 'event-ack 6');
    alerts.check(Date.now() + 6000);
    const kinds = (await proctor.get(`/api/exams/${exam.id}/alerts?open=true`)).body.map((a: { kind: string; detail: string }) => `${a.kind}: ${a.detail}`);
    expect(kinds).toEqual(expect.arrayContaining([expect.stringMatching(/^capture-stopped: screen sharing stopped \d+ s ago$/), 'screen-changed: the screen size changed to 1280x1024']));
    sendEvent(sentinel, { page: 'page-A', seq: 7, kind: 'capture-started', atMs: Date.now() });
    await within(3000, acked(sentinel, 7), 'event-ack 7');
    alerts.check();
    const stillOpen = (await proctor.get(`/api/exams/${exam.id}/alerts`)).body.filter((a: { kind: string; clearedAtMs: number | null }) => a.kind === 'capture-stopped' && a.clearedAtMs === null);
    expect(stillOpen).toEqual([]);
  });

  it('refuses a bad event without closing the stream: a non-fatal error, acknowledged, nothing stored', async () => {
    const before = (await track()).length;
    sentinel.socket.ws.send(JSON.stringify({ type: 'event', page: 'page-A', seq: 8, kind: 'coffee-break', atMs: Date.now() }));
    sentinel.socket.ws.send(JSON.stringify({ type: 'event', page: 'page-A', seq: 9, kind: 'capture-ended', atMs: Date.now(), detail: { reason: 'x'.repeat(5000) } }));
    await within(3000, acked(sentinel, 9), 'event-ack 9');
    const errors = sentinel.socket.texts.filter((t) => t.type === 'error');
    expect(errors.map((e) => e.type === 'error' && [e.code, e.fatal])).toEqual([['bad-message', false], ['bad-message', false]]);
    expect(errors[0]!.type === 'error' && errors[0]!.message).toMatch(/^event refused \(not stored\): event\.kind must be one of "capture-started"/);
    expect(errors[1]!.type === 'error' && errors[1]!.message).toMatch(/event\.detail\.reason must be a string of 0 to 200 characters/);
    sendEvent(sentinel, { page: 'page-A', seq: 10, kind: 'online', atMs: Date.now() });
    await within(3000, acked(sentinel, 10), 'event-ack 10');
    await within(3000, async () => (await track()).length === before + 1, 'the good event only');
    expect(sentinel.socket.ws.readyState).toBe(sentinel.socket.ws.OPEN);
  });

  it('a flood is acknowledged but only VIGIL_SENTINEL_EVENTS_PER_MINUTE are stored; another stream is not affected', async () => {
    const seat2 = await createSeat(admin, exam.id, 'ev-2');
    const flooder = await connectSentinel(server, seat2, { frames: 2 });
    const other = await connectSentinel(server, await createSeat(admin, exam.id, 'ev-3'), { frames: 2 });
    for (let seq = 1; seq <= 2000; seq++) sendEvent(flooder, { page: 'flood', seq, kind: 'page-hidden', atMs: Date.now() });
    await within(10_000, acked(flooder, 2000), 'every event acknowledged');
    sendEvent(other, { page: 'calm', seq: 1, kind: 'offline', atMs: Date.now() });
    await within(3000, acked(other, 1), 'the other stream’s ack');
    await within(3000, async () => (await track(other.streamId!)).some((l) => l['type'] === 'offline'), 'the other stream’s event stored');
    await within(3000, async () => (await track(flooder.streamId!)).some((l) => l['type'] === 'events-dropped'), 'events-dropped noted');
    const lines = await track(flooder.streamId!);
    expect(lines.filter((l) => l['type'] === 'page-hidden').length).toBe(30);
    expect(lines.find((l) => l['type'] === 'events-dropped')).toMatchObject({ source: 'server', perMinute: 30 });
    // the media connection still works
    expect(flooder.socket.ws.readyState).toBe(flooder.socket.ws.OPEN);
    flooder.socket.ws.close();
    other.socket.ws.close();
  });

  it('an oversized event is refused like any oversized message (close 1009), other streams go on', async () => {
    const big = await connectSentinel(server, await createSeat(admin, exam.id, 'ev-4'), { frames: 2 });
    big.socket.ws.send(JSON.stringify({ type: 'event', page: 'p', seq: 1, kind: 'online', atMs: 1, pad: 'x'.repeat(20_000) }));
    expect(await big.socket.closed).toBe(1009);
    sendEvent(sentinel, { page: 'page-A', seq: 11, kind: 'page-visible', atMs: Date.now() });
    await within(3000, acked(sentinel, 11), 'event-ack 11 on the first stream');
  });

  it('an exam application reports with the seat token; bad tokens, bad bodies and floods are refused clearly', async () => {
    const app = new TestClient(server);
    const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    const ok = await app.post('/api/sentinel/events', { kind: 'left-fullscreen', text: 'Esc pressed' }, bearer(seat.token));
    expect(ok.status).toBe(201);
    expect(ok.body).toEqual({ streamId, atMs: expect.any(Number) });
    await within(3000, async () => (await track()).some((l) => l['source'] === 'exam-app' && l['type'] === 'left-fullscreen' && l['text'] === 'Esc pressed'), 'exam-app line');

    expect((await app.post('/api/sentinel/events', { kind: 'paste' })).status).toBe(401);
    const forged = await app.post('/api/sentinel/events', { kind: 'paste' }, bearer(seat.token.slice(0, -2) + 'xx'));
    expect(forged.status).toBe(401);
    expect(forged.body.message).toMatch(/seat token/);
    const badKind = await app.post('/api/sentinel/events', { kind: 'cheating' }, bearer(seat.token));
    expect(badKind.status).toBe(400);
    expect(JSON.stringify(badKind.body)).toMatch(/kind must be one of left-fullscreen/);
    expect((await app.post('/api/sentinel/events', { kind: 'other', text: 'x'.repeat(501) }, bearer(seat.token))).status).toBe(400);
    expect((await app.post('/api/sentinel/events', { kind: 'paste', extra: 1 }, bearer(seat.token))).status).toBe(400);
    const old = await app.post('/api/sentinel/events', { kind: 'paste', atMs: Date.now() - 3_600_000 }, bearer(seat.token));
    expect(old.status).toBe(400);
    expect(old.body.message).toMatch(/within the last 10 minutes/);
    const huge = await fetch(`${server.base}/api/sentinel/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${seat.token}` }, body: JSON.stringify({ kind: 'paste', text: 'x'.repeat(200_000) }) });
    expect(huge.status).toBe(400); // within the 1 MB body limit: the text's limit speaks
    expect(JSON.stringify(await huge.json())).toMatch(/text must be at most 500 characters/);
    const tooBig = await fetch(`${server.base}/api/sentinel/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${seat.token}` }, body: JSON.stringify({ kind: 'paste', text: 'x'.repeat(2_000_000) }) });
    // over the JSON body limit (1 MB) the body parser refuses it before the route, with 413 and why
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { message: string }).message).toMatch(/request body too large: at most 1048576 bytes/);
    // a seat without a stream yet
    const fresh = await createSeat(admin, exam.id, 'ev-5');
    const none = await app.post('/api/sentinel/events', { kind: 'paste' }, bearer(fresh.token));
    expect(none.status).toBe(409);
    // flood: VIGIL_EXAM_APP_EVENTS_PER_MINUTE = 5 per seat (one used above, the refused ones used none... or some)
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await app.post('/api/sentinel/events', { kind: 'copy' }, bearer(seat.token))).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(3);
    expect(statuses.slice(-1)).toEqual([429]);
    // a revoked token
    const revoked = await admin.post(`/api/exams/${exam.id}/seats/${fresh.id}/revoke-token`);
    expect(revoked.status).toBeLessThan(300);
    expect((await app.post('/api/sentinel/events', { kind: 'paste' }, bearer(fresh.token))).status).toBe(401);
  });

  it('proctors flag and note moments (who and when, audited); another exam’s proctor gets 404', async () => {
    const atMs = Date.now() - 2000;
    const flag = await proctor.post(`/api/recordings/${streamId}/events`, { atMs, kind: 'flag', text: 'looks at a phone' });
    expect(flag.status).toBe(201);
    expect(flag.body).toMatchObject({ atMs, source: 'proctor', type: 'flag', by: 'events.proctor@vigil.test', detail: { text: 'looks at a phone' } });
    expect(flag.body.receivedAtMs).toBeGreaterThanOrEqual(atMs);
    const note = await admin.post(`/api/recordings/${streamId}/events`, { atMs: atMs + 1, kind: 'note', text: '=cmd|calc' });
    expect(note.status).toBe(201);
    const audit = await admin.get('/api/audit?action=recording.event');
    expect(audit.body.items ?? audit.body).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'recording.event', targetId: streamId })]));

    expect((await foreign.post(`/api/recordings/${streamId}/events`, { atMs, kind: 'flag', text: 'x' })).status).toBe(404);
    expect((await proctor.post('/api/recordings/no-such-stream/events', { atMs, kind: 'flag', text: 'x' })).status).toBe(404);
    expect((await proctor.post('/api/recordings/..%2Fetc/events', { atMs, kind: 'flag', text: 'x' })).status).toBeGreaterThanOrEqual(400);
    const badKind = await proctor.post(`/api/recordings/${streamId}/events`, { atMs, kind: 'accuse', text: 'x' });
    expect(badKind.status).toBe(400);
    expect(JSON.stringify(badKind.body)).toMatch(/kind must be \\"flag\\" or \\"note\\"/);
    expect((await proctor.post(`/api/recordings/${streamId}/events`, { atMs: 'soon', kind: 'flag', text: 'x' })).status).toBe(400);
    expect((await proctor.post(`/api/recordings/${streamId}/events`, { atMs, kind: 'note', text: 'x'.repeat(2001) })).status).toBe(400);
    expect((await new TestClient(server).post(`/api/recordings/${streamId}/events`, { atMs, kind: 'flag', text: 'x' })).status).toBe(401);
  });

  it('GET events: every source of a range, oldest first; the same access rules and time parsing as the index', async () => {
    const all = await proctor.get(`/api/recordings/${streamId}/events`);
    expect(all.status).toBe(200);
    const sources = new Set(all.body.events.map((e: { source: string }) => e.source));
    expect([...sources].sort()).toEqual(['exam-app', 'proctor', 'sentinel', 'server']);
    const times = all.body.events.map((e: { atMs: number }) => e.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(all.body.truncated).toBe(false);

    const flag = all.body.events.find((e: { type: string }) => e.type === 'flag');
    const one = await proctor.get(`/api/recordings/${streamId}/events?from=${new Date(flag.atMs).toISOString()}&to=${flag.atMs}`);
    expect(one.body.events).toEqual([flag]);
    expect((await proctor.get(`/api/recordings/${streamId}/events?from=yesterday`)).status).toBe(400);
    expect((await proctor.get(`/api/recordings/${streamId}/events?from=20&to=10`)).status).toBe(400);
    expect((await foreign.get(`/api/recordings/${streamId}/events`)).status).toBe(404);
    expect((await new TestClient(server).get(`/api/recordings/${streamId}/events`)).status).toBe(401);
  });

  it('incidents.csv: flags, notes and alerts of the exam with seat, time, who and a review link; 404 for another exam’s proctor', async () => {
    const res = await proctor.get(`/api/exams/${exam.id}/incidents.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="incidents-/);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    const kinds = rows.map((r) => r['kind']);
    expect(kinds).toEqual(expect.arrayContaining(['flag', 'note', 'alert:screen-blank', 'alert:capture-stopped']));
    const flag = rows.find((r) => r['kind'] === 'flag')!;
    expect(flag).toMatchObject({ seat: 'ev-1', name: 'Student ev-1', who: 'events.proctor@vigil.test', text: 'looks at a phone', streamId });
    expect(flag['review']).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/recordings/${streamId}\\?at=\\d+$`));
    expect(new Date(flag['time']!).toISOString()).toBe(flag['time']);
    expect(rows.find((r) => r['kind'] === 'note')!['text']).toBe("'=cmd|calc");
    expect((await foreign.get(`/api/exams/${exam.id}/incidents.csv`)).status).toBe(404);
  });
});
