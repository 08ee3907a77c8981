import { encodeControl, parseServerToProctor, parseServerToSentinel, decodeMediaMessage } from '@vigil/protocol';
import { streamMessages } from './testing/media-fixtures';
import { SERVER_TEST_TIMEOUT_MS, TestClient, TestServer, adminClient, browserHeaders, createExam, createSeat, openSocket, startTestServer } from './testing/test-server';

jest.setTimeout(SERVER_TEST_TIMEOUT_MS);

/** The thin Nest layer, for real: HTTP + WebSocket on a loopback port, real files, an admin and a seat. */
describe('Vigil server (HTTP + WebSocket)', () => {
  let server: TestServer;
  let admin: TestClient;
  let base: string;
  let exam: { id: string };
  let seat: { id: string; token: string };

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    base = server.host;
    admin = await adminClient(server);
    exam = await createExam(admin);
    seat = await createSeat(admin, exam.id, 's7');
  });

  afterAll(async () => {
    await server.close();
  });

  /** Fetches JSON as the admin; the shape is the test's expectation, checked by its assertions. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field below
  const json = async (pathName: string): Promise<any> => (await admin.get(pathName)).body;

  /** Opens a socket and collects what arrived (as the admin's browser for /ws/proctor). */
  const open = <T>(pathName: string, parse: (t: string) => T) => openSocket(server, pathName, parse, browserHeaders(admin));

  it('streams from a Sentinel to a Proctor, records, and serves control and history over HTTP', async () => {
    const sentinel = await open('/ws/sentinel', parseServerToSentinel);
    sentinel.ws.send(
      encodeControl({
        type: 'hello', protocol: 1, token: seat.token, examId: exam.id, seatId: seat.id, encoder: 'webcodecs',
        userAgent: 'jest', capabilities: { encoders: ['webcodecs'] },
      }),
    );
    await sentinel.until(() => sentinel.texts.length > 0);
    const welcome = sentinel.texts[0];
    expect(welcome).toMatchObject({ type: 'welcome', lastAckedSequence: 0, fps: 1 });
    const streamId = welcome.type === 'welcome' ? welcome.streamId : '';

    const messages = streamMessages(10, 5);
    for (const m of messages.slice(0, 8)) sentinel.ws.send(m);
    await sentinel.until(() => sentinel.texts.some((t) => t.type === 'ack' && t.sequence === 8));

    const proctor = await open('/ws/proctor', parseServerToProctor);
    await proctor.until(() => proctor.texts.length > 0);
    expect(proctor.texts[0]).toMatchObject({ type: 'streams', streams: [{ streamId, examId: exam.id, seatId: seat.id, state: 'live' }] });
    proctor.ws.send(encodeControl({ type: 'subscribe', streamId }));
    await proctor.until(() => proctor.binaries.length >= 3);
    expect(proctor.binaries.map((b) => decodeMediaMessage(b).header.sequence)).toEqual([1, 7, 8]);
    for (const m of messages.slice(8)) sentinel.ws.send(m);
    await proctor.until(() => proctor.binaries.length >= 5);

    // REST control reaches the Sentinel
    const list = await json('/api/streams');
    expect(list).toHaveLength(1);
    expect((await admin.post(`/api/streams/${streamId}/keyframe`)).status).toBe(202);
    const put = await admin.put(`/api/streams/${streamId}/fps`, { fps: 2.5 });
    expect(put.status).toBe(200);
    await sentinel.until(() => sentinel.texts.some((t) => t.type === 'set-fps' && t.reason === 'admin'));
    expect(sentinel.texts.filter((t) => t.type === 'keyframe' || t.type === 'set-fps')).toEqual([
      // the proctor's (focused) view raised the stream to the focus rate (VIGIL_FOCUS_FPS, 5)
      { type: 'set-fps', fps: 5, reason: 'demand' },
      { type: 'keyframe', reason: 'admin' },
      { type: 'set-fps', fps: 2.5, reason: 'admin' },
    ]);

    // history: index and a playable file = init + every segment, byte for byte what was sent
    await sentinel.until(() => sentinel.texts.some((t) => t.type === 'ack' && t.sequence === 11));
    const index = await json(`/api/recordings/${streamId}`);
    expect(index.parts).toHaveLength(1);
    expect(index.parts[0].segments).toHaveLength(2);
    const file = new Uint8Array(await (await fetch(`http://${base}/api/recordings/${streamId}/recording.mp4`, { headers: { cookie: admin.cookie! } })).arrayBuffer());
    const expected = messages.reduce((sum, m) => sum + m.byteLength - 16, 0);
    expect(file.byteLength).toBe(expected);

    sentinel.ws.close();
    proctor.ws.close();
  });

  it('answers bad REST input with 400/404 and a message that says what to do', async () => {
    const notFound = await admin.post('/api/streams/missing/keyframe');
    expect(notFound.status).toBe(404);
    expect(notFound.body.message).toMatch(/GET \/api\/streams/);
    const live = (await json('/api/streams')) as { streamId: string }[];
    expect(live).toHaveLength(1); // the first test's stream, disconnected but not ended
    const id = live[0].streamId;
    const cases: [unknown, RegExp][] = [
      [{ fps: 9 }, /fps must be at most 5/],
      [{ fps: 0.1 }, /fps must be at least 0.2/],
      [{ fps: 'fast' }, /fps must be a number/],
      [{}, /fps must be a number/],
      [{ fps: 1, extra: true }, /property extra should not exist/],
    ];
    for (const [body, message] of cases) {
      const res = await admin.put(`/api/streams/${id}/fps`, body);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.message)).toMatch(message);
    }
    // a Sentinel-less stream cannot take a keyframe request: 409 says why
    const keyframe = await admin.post(`/api/streams/${id}/keyframe`);
    expect(keyframe.status).toBe(409);
    // ids and file names that could leave the data folder are refused
    const traversal = await admin.get('/api/recordings/..%2F..%2Fetc/files/passwd');
    expect(traversal.status).toBe(400);
    const badFile = await admin.get(`/api/recordings/${id}/files/..%2Fmeta.json`);
    expect(badFile.status).toBe(400);
    expect(badFile.body.message).toMatch(/not a recording file name/);
    const missing = await admin.get(`/api/recordings/${id}/recording.mp4?part=3`);
    expect(missing.status).toBe(404);
    const badPart = await admin.get(`/api/recordings/${id}/recording.mp4?part=-1`);
    expect(badPart.status).toBe(400);
    // the server is still healthy
    expect((await json('/api/health')).status).toBe('ok');
  });

  it('closes a Sentinel socket that sends media before hello, with a protocol error', async () => {
    const s = await open('/ws/sentinel', parseServerToSentinel);
    const closed = new Promise<number>((r) => s.ws.once('close', (code) => r(code)));
    s.ws.send(streamMessages(1, 1)[0]);
    expect(await closed).toBe(1008);
    expect(s.texts[0]).toMatchObject({ type: 'error', code: 'auth-required', fatal: true });
  });
});
