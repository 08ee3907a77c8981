import { encodeControl, parseServerToSentinel } from '@vigil/protocol';
import { streamMessages } from '../testing/media-fixtures';
import { SERVER_TEST_TIMEOUT_MS, TestServer, adminClient, connectSentinel, createExam, createSeat, openSocket, startTestServer } from '../testing/test-server';

jest.setTimeout(SERVER_TEST_TIMEOUT_MS);

/**
 * After the exam's end a Sentinel may still upload its backlog (issue 8 finding 7): within
 * VIGIL_UPLOAD_GRACE_HOURS a `hello {uploadOnly, streamId}` of the seat's own recording is
 * welcomed and its messages acknowledged; new capture is refused; after the grace nothing.
 */
describe.each([
  ['within the grace', '24'],
  ['after the grace', '0'],
])('upload-only after the exam ended (%s)', (_label, graceHours) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { VIGIL_UPLOAD_GRACE_HOURS: graceHours, VIGIL_EXAM_END_CHECK_SECONDS: '300' });
  });
  afterAll(() => server.close());

  it('welcomes only an upload-only resume of the seat\'s own stream, and acks its backlog', async () => {
    const admin = await adminClient(server);
    const exam = await createExam(admin, { name: 'ends' });
    const seat = await createSeat(admin, exam.id, 'g-1');
    const first = await connectSentinel(server, seat, { frames: 4 }); // acked 1..5
    first.socket.ws.close();
    expect((await admin.patch(`/api/exams/${exam.id}`, { startsAtMs: Date.now() - 7_200_000, endsAtMs: Date.now() - 1000 })).status).toBe(200);

    const hello = async (extra: Record<string, unknown>) => {
      const s = await openSocket(server, '/ws/sentinel', parseServerToSentinel);
      s.ws.send(encodeControl({ type: 'hello', protocol: 1, token: seat.token, examId: exam.id, seatId: seat.id, encoder: 'webcodecs', userAgent: 'jest', capabilities: { encoders: [] }, ...extra }));
      await s.until(() => s.texts.length > 0, 'an answer');
      return s;
    };
    const capture = await hello({ streamId: first.streamId });
    expect(capture.texts[0]).toMatchObject({ type: 'error', code: 'auth-failed', message: expect.stringMatching(/expired when the exam window ended/) });
    const upload = await hello({ streamId: first.streamId, uploadOnly: true });
    if (graceHours === '0') {
      expect(upload.texts[0]).toMatchObject({ type: 'error', code: 'auth-failed', message: expect.stringMatching(/upload grace of 0 h is over/) });
      return;
    }
    expect(upload.texts[0]).toMatchObject({ type: 'welcome', streamId: first.streamId, lastAckedSequence: 5 });
    // the backlog: the same stream continued (fresh bytes, sequence 6..9)
    const more = streamMessages(8, 5).slice(5);
    for (const m of more) upload.ws.send(m);
    await upload.until(() => upload.texts.some((t) => t.type === 'ack' && t.sequence === 9), 'acks of the backlog');
    const fresh = await hello({ uploadOnly: true });
    expect(fresh.texts[0]).toMatchObject({ type: 'error', code: 'bad-message' });
    upload.ws.close();
  });
});
