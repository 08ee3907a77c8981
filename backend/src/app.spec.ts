import type { INestApplication } from '@nestjs/common';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { encodeControl, parseServerToProctor, parseServerToSentinel, decodeMediaMessage } from '@vigil/protocol';
import { createApp } from './main';
import { loadConfig } from './config/vigil-config';
import { streamMessages } from './testing/media-fixtures';

/** The thin Nest layer, for real: HTTP + WebSocket on a loopback port, real files. */
describe('Vigil server (HTTP + WebSocket)', () => {
  let app: INestApplication;
  let base: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'vigil-app-'));
    app = await createApp(loadConfig({ VIGIL_DATA_DIR: dataDir, VIGIL_WEB_DIR: path.join(dataDir, 'web'), VIGIL_FSYNC: 'false' }), { quiet: true });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    base = `127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Fetches JSON; the shape is the test's expectation, checked by its assertions. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field below
  const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();

  /** Opens a socket and collects what arrives: text parsed with `parse`, binary as bytes. */
  async function open<T>(pathName: string, parse: (t: string) => T) {
    const ws = new WebSocket(`ws://${base}${pathName}`);
    const texts: T[] = [];
    const binaries: Uint8Array[] = [];
    ws.on('message', (data, isBinary) => {
      if (isBinary) binaries.push(new Uint8Array(data as Buffer));
      else texts.push(parse(data.toString()));
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
      if (!ok()) throw new Error(`timed out; got ${JSON.stringify(texts)}`);
    };
    return { ws, texts, binaries, until };
  }

  it('streams from a Sentinel to a Proctor, records, and serves control and history over HTTP', async () => {
    const sentinel = await open('/ws/sentinel', parseServerToSentinel);
    sentinel.ws.send(
      encodeControl({
        type: 'hello', protocol: 1, token: 'dev-token', examId: 'exam-a', seatId: 'seat-7', encoder: 'webcodecs',
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
    expect(proctor.texts[0]).toMatchObject({ type: 'streams', streams: [{ streamId, examId: 'exam-a', seatId: 'seat-7', state: 'live' }] });
    proctor.ws.send(encodeControl({ type: 'subscribe', streamId }));
    await proctor.until(() => proctor.binaries.length >= 3);
    expect(proctor.binaries.map((b) => decodeMediaMessage(b).header.sequence)).toEqual([1, 7, 8]);
    for (const m of messages.slice(8)) sentinel.ws.send(m);
    await proctor.until(() => proctor.binaries.length >= 5);

    // REST control reaches the Sentinel
    const list = await json(fetch(`http://${base}/api/streams`));
    expect(list).toHaveLength(1);
    expect((await fetch(`http://${base}/api/streams/${streamId}/keyframe`, { method: 'POST' })).status).toBe(202);
    const put = await fetch(`http://${base}/api/streams/${streamId}/fps`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fps: 2.5 }),
    });
    expect(put.status).toBe(200);
    await sentinel.until(() => sentinel.texts.some((t) => t.type === 'set-fps'));
    expect(sentinel.texts.filter((t) => t.type === 'keyframe' || t.type === 'set-fps')).toEqual([
      { type: 'keyframe', reason: 'admin' },
      { type: 'set-fps', fps: 2.5, reason: 'admin' },
    ]);

    // history: index and a playable file = init + every segment, byte for byte what was sent
    await sentinel.until(() => sentinel.texts.some((t) => t.type === 'ack' && t.sequence === 11));
    const index = await json(fetch(`http://${base}/api/recordings/${streamId}`));
    expect(index.parts).toHaveLength(1);
    expect(index.parts[0].segments).toHaveLength(2);
    const file = new Uint8Array(await (await fetch(`http://${base}/api/recordings/${streamId}/recording.mp4`)).arrayBuffer());
    const expected = messages.reduce((sum, m) => sum + m.byteLength - 16, 0);
    expect(file.byteLength).toBe(expected);

    sentinel.ws.close();
    proctor.ws.close();
  });

  it('answers bad REST input with 400/404 and a message that says what to do', async () => {
    const notFound = await fetch(`http://${base}/api/streams/missing/keyframe`, { method: 'POST' });
    expect(notFound.status).toBe(404);
    expect((await json(notFound)).message).toMatch(/GET \/api\/streams/);
    const live = (await (await fetch(`http://${base}/api/streams`)).json()) as { streamId: string }[];
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
      const res = await fetch(`http://${base}/api/streams/${id}/fps`, {
        method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
      expect(JSON.stringify((await json(res)).message)).toMatch(message);
    }
    // a Sentinel-less stream cannot take a keyframe request: 409 says why
    const keyframe = await fetch(`http://${base}/api/streams/${id}/keyframe`, { method: 'POST' });
    expect(keyframe.status).toBe(409);
    // ids and file names that could leave the data folder are refused
    const traversal = await fetch(`http://${base}/api/recordings/..%2F..%2Fetc/files/passwd`);
    expect(traversal.status).toBe(400);
    const badFile = await fetch(`http://${base}/api/recordings/${id}/files/..%2Fmeta.json`);
    expect(badFile.status).toBe(400);
    expect((await json(badFile)).message).toMatch(/not a recording file name/);
    const missing = await fetch(`http://${base}/api/recordings/${id}/recording.mp4?part=3`);
    expect(missing.status).toBe(404);
    const badPart = await fetch(`http://${base}/api/recordings/${id}/recording.mp4?part=-1`);
    expect(badPart.status).toBe(400);
    // the server is still healthy
    expect((await json(fetch(`http://${base}/api/health`))).status).toBe('ok');
  });

  it('closes a Sentinel socket that sends media before hello, with a protocol error', async () => {
    const s = await open('/ws/sentinel', parseServerToSentinel);
    const closed = new Promise<number>((r) => s.ws.once('close', (code) => r(code)));
    s.ws.send(streamMessages(1, 1)[0]);
    expect(await closed).toBe(1008);
    expect(s.texts[0]).toMatchObject({ type: 'error', code: 'auth-required', fatal: true });
  });
});
