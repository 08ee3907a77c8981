import { AlertsService } from './alerts.service';
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
} from '../testing/test-server';

jest.setTimeout(SERVER_TEST_TIMEOUT_MS);

/**
 * Alerts on a real server: a Sentinel connects and leaves; past VIGIL_ALERT_DISCONNECTED_SECONDS
 * the exam's proctor sees a `disconnected` alert, acknowledges it with a note (audited), and a
 * proctor of another exam can neither see nor acknowledge it.
 */
describe('alerts: GET /api/exams/:examId/alerts, POST /api/alerts/:alertId/ack', () => {
  let server: TestServer;
  let admin: TestClient;
  let proctor: TestClient;
  let foreign: TestClient;
  let exam: { id: string };
  let streamId: string;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { VIGIL_ALERT_DISCONNECTED_SECONDS: '1', VIGIL_STREAM_END_AFTER_MS: '600000' });
    admin = await adminClient(server);
    exam = await createExam(admin, { name: 'Alerts' });
    const other = await createExam(admin, { name: 'Other' });
    const seat = await createSeat(admin, exam.id, 'al-1');
    ({ client: proctor } = await proctorClient(admin, 'alerts.proctor@vigil.test', [exam.id]));
    ({ client: foreign } = await proctorClient(admin, 'alerts.other@vigil.test', [other.id]));
    const sentinel = await connectSentinel(server, seat, { frames: 3 });
    streamId = sentinel.streamId!;
    sentinel.socket.ws.close();
    await new Promise((r) => setTimeout(r, 1500));
  });

  afterAll(async () => {
    await server?.close();
  });

  it('raises disconnected for the exam, lets its proctor acknowledge it with a note, audited', async () => {
    server.app.get(AlertsService).check(); // the periodic check, now
    const list = await proctor.get(`/api/exams/${exam.id}/alerts?open=true`);
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(1); // the stream is not live: no clock-skew although its test fragments are old
    const alert = list.body[0];
    expect(alert).toMatchObject({ kind: 'disconnected', streamId, examId: exam.id, clearedAtMs: null, ack: null });
    expect(alert.detail).toMatch(/^no Sentinel for \d+ s$/);

    const ack = await proctor.post(`/api/alerts/${alert.id}/ack`, { note: 'phoned the student: laptop battery' });
    expect(ack.status).toBe(200);
    expect(ack.body.ack).toMatchObject({ by: 'alerts.proctor@vigil.test', note: 'phoned the student: laptop battery' });
    expect((await proctor.get(`/api/exams/${exam.id}/alerts?open=true`)).body).toEqual([]);
    expect((await proctor.get(`/api/exams/${exam.id}/alerts`)).body).toHaveLength(1);
    const audit = await admin.get('/api/audit?action=alert.ack');
    expect(audit.body.items ?? audit.body).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'alert.ack', targetId: streamId })]));

    // twice: 409 saying who did
    const again = await proctor.post(`/api/alerts/${alert.id}/ack`, { note: 'again' });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/acknowledged by alerts.proctor@vigil.test already/);
  });

  it('refuses what is not the caller’s or not well-formed, with a clear error', async () => {
    const [alert] = (await admin.get(`/api/exams/${exam.id}/alerts`)).body;
    expect((await foreign.get(`/api/exams/${exam.id}/alerts`)).status).toBe(404);
    expect((await foreign.post(`/api/alerts/${alert.id}/ack`, { note: 'x' })).status).toBe(404);
    expect((await proctor.post('/api/alerts/999999/ack', { note: 'x' })).status).toBe(404);
    const notNumber = await proctor.post('/api/alerts/abc/ack', { note: 'x' });
    expect(notNumber.status).toBe(400);
    const long = await proctor.post(`/api/alerts/${alert.id}/ack`, { note: 'x'.repeat(501) });
    expect(long.status).toBe(400);
    expect(JSON.stringify(long.body)).toMatch(/note must be at most 500 characters/);
    const anonymous = new TestClient(server);
    expect((await anonymous.get(`/api/exams/${exam.id}/alerts`)).status).toBe(401);
  });
});
