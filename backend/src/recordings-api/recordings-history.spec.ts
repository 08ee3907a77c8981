import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { fragmentMessage, initMessage } from '../testing/media-fixtures';
import {
  SERVER_TEST_TIMEOUT_MS,
  TEST_DATABASES,
  TestClient,
  TestServer,
  TestSentinel,
  adminClient,
  connectSentinel,
  createExam,
  createSeat,
  proctorClient,
  startTestServer,
} from '../testing/test-server';

jest.setTimeout(SERVER_TEST_TIMEOUT_MS);

/** Capture time of frame 0 in the media fixtures (prft), ms since the Unix epoch. */
const T0 = 1_764_000_000_000;

/**
 * History over HTTP by time range (issue 9 §2) on a real server with a real recording:
 * 12 frames at 5 fps (join fragments at frames 0, 5, 10: segments of 1 s), then a gap the
 * Sentinel reports, then 3 more frames a minute later, then an init change (640x360) and 2 frames.
 */
describe.each(TEST_DATABASES)('recordings by time range, Range and ETag (%s)', (database) => {
  let server: TestServer;
  let admin: TestClient;
  let sentinel: TestSentinel;
  let streamId: string;
  let outsider: TestClient;
  let examId: string;
  let insider: TestClient;

  beforeAll(async () => {
    server = await startTestServer(database, { VIGIL_STREAM_END_AFTER_MS: '1000' });
    admin = await adminClient(server);
    const exam = await createExam(admin, { name: 'history' });
    examId = exam.id;
    const other = await createExam(admin, { name: 'other' });
    sentinel = await connectSentinel(server, await createSeat(admin, exam.id, 'h-1'), { frames: 12 });
    streamId = sentinel.streamId!;
    sentinel.socket.ws.send(JSON.stringify({ type: 'gap', fromMs: T0 + 2400, toMs: T0 + 60_000, reason: 'network' }));
    for (let i = 0; i < 3; i++) {
      sentinel.socket.ws.send(fragmentMessage(14 + i, 300 + i, { join: i === 0, captureTimeMs: T0 + 60_000 + i * 200 }));
    }
    // a new init segment (the screen changed to 640x360), then 2 frames
    sentinel.socket.ws.send(initMessage(17, 640, 360));
    sentinel.socket.ws.send(fragmentMessage(18, 400, { join: true, captureTimeMs: T0 + 70_000 }));
    sentinel.socket.ws.send(fragmentMessage(19, 401, { captureTimeMs: T0 + 70_200 }));
    await sentinel.socket.until(() => sentinel.socket.texts.some((t) => t.type === 'ack' && t.sequence === 19), 'acks after the gap');
    outsider = (await proctorClient(admin, 'outsider@vigil.test', [other.id])).client;
    insider = (await proctorClient(admin, 'insider@vigil.test', [exam.id])).client;
  });

  afterAll(async () => {
    sentinel.socket.ws.close(); // idempotent
    await server.close();
  });

  it('lists segments with wall-clock start and end, their init segment, and the gap with its reason', async () => {
    const res = await admin.get(`/api/recordings/${streamId}/index`);
    expect(res.status).toBe(200);
    const view = res.body;
    expect(view).toMatchObject({ streamId, live: true, extent: { fromMs: T0, toMs: null } });
    expect(view.segments.map((s: { startMs: number; endMs: number | null; join: boolean }) => [s.startMs - T0, s.endMs === null ? null : s.endMs - T0, s.join])).toEqual([
      [0, 1000, true],
      [1000, 2000, true],
      [2000, 2400, true], // ends where the gap starts
      [60_000, 60_600, true], // the capture clock jumps 9.4 s to the next: the server records a gap
      [70_000, null, true], // the newest: the recording may still grow
    ]);
    expect(view.segments[1]).toMatchObject({ sequence: 7, decodeTime: 5 * 18000, init: '000000000001-init.mp4', file: expect.stringMatching(/^000000000007-/) });
    expect(view.inits).toEqual([
      expect.objectContaining({ file: '000000000001-init.mp4', width: 1280, height: 720, codec: expect.stringMatching(/^avc1\./) }),
      expect.objectContaining({ file: '000000000017-init.mp4', width: 640, height: 360 }),
    ]);
    expect(view.gaps).toEqual([
      { fromMs: T0 + 2400, toMs: T0 + 60_000, reason: 'network', source: 'sentinel', afterSequence: 13 },
      { fromMs: T0 + 60_600, toMs: T0 + 70_000, reason: 'unknown', source: 'server', afterSequence: 17 },
    ]);
  });

  it('answers a range with the segments overlapping it, in ISO 8601 or ms since the epoch', async () => {
    const byMs = (await admin.get(`/api/recordings/${streamId}/index?from=${T0 + 1200}&to=${T0 + 1500}`)).body;
    expect(byMs.segments.map((s: { sequence: number }) => s.sequence)).toEqual([7]);
    expect(byMs.gaps).toEqual([]);
    const iso = (f: number) => encodeURIComponent(new Date(T0 + f).toISOString());
    const byIso = (await admin.get(`/api/recordings/${streamId}/index?from=${iso(1200)}&to=${iso(1500)}`)).body;
    expect(byIso.segments).toEqual(byMs.segments);
    const acrossGap = (await admin.get(`/api/recordings/${streamId}/index?from=${T0 + 2100}&to=${T0 + 30_000}`)).body;
    expect(acrossGap.segments.map((s: { sequence: number }) => s.sequence)).toEqual([12]);
    expect(acrossGap.gaps).toHaveLength(1);
  });

  it('refuses a malformed or reversed range with a clear 400, and another exam\'s proctor gets 404', async () => {
    const bad = await admin.get(`/api/recordings/${streamId}/index?from=yesterday`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/from must be an ISO 8601 time with a zone/);
    const reversed = await admin.get(`/api/recordings/${streamId}/index?from=${T0 + 2000}&to=${T0}`);
    expect(reversed.status).toBe(400);
    expect(reversed.body.message).toMatch(/is before from/);
    expect((await outsider.get(`/api/recordings/${streamId}/index`)).status).toBe(404);
    expect((await outsider.get(`/api/recordings/${streamId}/recording.mp4`)).status).toBe(404);
  });

  it("lists one exam's recordings with ?examId=, and answers 404 for an exam that is not the caller's", async () => {
    const mine = await insider.get(`/api/recordings?examId=${examId}`);
    expect(mine.status).toBe(200);
    expect(mine.body.map((m: { streamId: string; examId: string }) => [m.streamId, m.examId])).toEqual([[streamId, examId]]);
    expect((await outsider.get(`/api/recordings?examId=${examId}`)).status).toBe(404);
    expect((await outsider.get('/api/recordings?examId=no-such-exam')).status).toBe(404);
    expect((await outsider.get('/api/recordings')).body).toEqual([]); // its own exam has none
  });

  it('serves stored files with Range (206), ETag and Last-Modified (304 on a match)', async () => {
    const whole = await admin.get(`/api/recordings/${streamId}/files/000000000001-init.mp4`);
    expect(whole.status).toBe(200);
    const etag = whole.headers.get('etag')!;
    expect(etag).toBeTruthy();
    expect(whole.headers.get('last-modified')).toBeTruthy();
    const part = await fetch(`${server.base}/api/recordings/${streamId}/files/000000000001-init.mp4`, { headers: { cookie: admin.cookie!, range: 'bytes=0-99' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toMatch(/^bytes 0-99\/\d+$/);
    expect((await part.arrayBuffer()).byteLength).toBe(100);
    const again = await fetch(`${server.base}/api/recordings/${streamId}/files/000000000001-init.mp4`, { headers: { cookie: admin.cookie!, 'if-none-match': etag, 'cache-control': 'max-age=0' } }); // fetch adds no-cache to conditional requests otherwise
    expect(again.status).toBe(304);
    // a Range past the end is answered (416 with the size), not left hanging (regression: sendFile's callback swallowed it)
    const size = Number(whole.headers.get('content-length'));
    const past = await fetch(`${server.base}/api/recordings/${streamId}/files/000000000001-init.mp4`, {
      headers: { cookie: admin.cookie!, range: `bytes=${size}-` },
      signal: AbortSignal.timeout(5000),
    });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${size}`);
    // and the server goes on serving
    expect((await admin.get(`/api/recordings/${streamId}/files/000000000001-init.mp4`)).status).toBe(200);
  });

  it('serves recording.mp4 (init + segments) with Range over the joined files and a conditional GET', async () => {
    const url = `${server.base}/api/recordings/${streamId}/recording.mp4`;
    const full = await fetch(url, { headers: { cookie: admin.cookie! } });
    expect(full.status).toBe(200);
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    const bytes = new Uint8Array(await full.arrayBuffer());
    expect(Number(full.headers.get('content-length'))).toBe(bytes.byteLength);
    const slice = await fetch(url, { headers: { cookie: admin.cookie!, range: 'bytes=500-2999' } });
    expect(slice.status).toBe(206);
    expect(slice.headers.get('content-range')).toBe(`bytes 500-2999/${bytes.byteLength}`);
    expect(new Uint8Array(await slice.arrayBuffer())).toEqual(bytes.subarray(500, 3000));
    const tail = await fetch(url, { headers: { cookie: admin.cookie!, range: 'bytes=-100' } });
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(bytes.subarray(bytes.byteLength - 100));
    const outside = await fetch(url, { headers: { cookie: admin.cookie!, range: `bytes=${bytes.byteLength + 10}-` } });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${bytes.byteLength}`);
    const cached = await fetch(url, { headers: { cookie: admin.cookie!, 'if-none-match': full.headers.get('etag')!, 'cache-control': 'max-age=0' } });
    expect(cached.status).toBe(304);
  });

  it('writes HLS playlists: EVENT while live (the growing segment left out), VOD once ended, which ffprobe reads; the gap is a discontinuity', async () => {
    const res = await admin.get(`/api/recordings/${streamId}/playlist.m3u8`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/vnd\.apple\.mpegurl/);
    const text: string = res.text;
    expect(text).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(text).not.toContain('#EXT-X-ENDLIST');
    expect(text.match(/^#EXTINF:1\.000,$/gm)).toHaveLength(2); // two whole 1 s segments
    expect(text).toContain('#EXTINF:0.400,'); // the third ends before the gap: 2 frames
    expect(text).toContain('#EXTINF:0.600,'); // after the gap: 3 frames, then the init change
    expect(text).not.toContain('000000000018-'); // the newest segment still grows: left out
    expect(text).toContain(`#EXT-X-PROGRAM-DATE-TIME:${new Date(T0).toISOString()}`);
    // a range: only the middle segment
    const middle = (await admin.get(`/api/recordings/${streamId}/playlist.m3u8?from=${T0 + 1200}&to=${T0 + 1500}`)).text;
    expect(middle.match(/^files\/.*\.m4s$/gm)).toEqual([expect.stringMatching(/^files\/000000000007-/)]);
    expect((await admin.get(`/api/recordings/${streamId}/playlist.m3u8?from=x`)).status).toBe(400);

    // the Sentinel leaves, the stream ends: a VOD playlist with every segment, which ffprobe
    // (the real HLS demuxer) reads over HTTP with the session cookie
    sentinel.socket.ws.close();
    for (let i = 0; i < 100 && (await admin.get(`/api/recordings/${streamId}/index`)).body.live; i++) await new Promise((r) => setTimeout(r, 50));
    // the recording is over: its newest segment (and the extent) end with its last frame
    const ended = (await admin.get(`/api/recordings/${streamId}/index`)).body;
    expect(ended).toMatchObject({ live: false, extent: { fromMs: T0, toMs: T0 + 70_400 } }); // 70 200 + one 200 ms frame
    expect(ended.segments.at(-1)).toMatchObject({ startMs: T0 + 70_000, endMs: T0 + 70_400 });
    const vod = (await admin.get(`/api/recordings/${streamId}/playlist.m3u8`)).text;
    expect(vod).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(vod).toContain('#EXT-X-ENDLIST');
    expect(vod.split('\n').filter((l) => l === '#EXT-X-DISCONTINUITY')).toHaveLength(2); // at the gap and at the init change
    expect(vod).toContain('#EXT-X-MAP:URI="files/000000000017-init.mp4"');
    // async: the server runs in this process, a synchronous child would block it
    const { stdout: out } = await promisify(execFile)(
      'ffprobe',
      ['-v', 'error', '-headers', `Cookie: ${admin.cookie}\r\n`, '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'json', `${server.base}/api/recordings/${streamId}/playlist.m3u8`],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(Number(JSON.parse(out).streams[0].nb_read_packets)).toBe(17); // every fragment, one frame each
  });

  it('exports a range as one regular MP4 from the join fragment before it; a range across an init change lists the parts', async () => {
    const probe = async (from: number, to: number) => {
      const res = await fetch(`${server.base}/api/recordings/${streamId}/export.mp4?from=${from}&to=${to}`, { headers: { cookie: admin.cookie! } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".*\.mp4"$/);
      const file = path.join(server.dataDir, `export-${from}.mp4`);
      await writeFile(file, new Uint8Array(await res.arrayBuffer()));
      const { stdout } = await promisify(execFile)('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=nb_read_packets,start_time,duration:format=format_name:format_tags', '-of', 'json', file], { encoding: 'utf8', timeout: 20_000 });
      return JSON.parse(stdout) as { streams: { nb_read_packets: string; start_time: string; duration: string }[]; format: { format_name: string; tags?: { comment?: string; date?: string } } };
    };
    const whole = await probe(T0, T0 + 2400);
    expect(whole.format.format_name).toMatch(/mp4/);
    expect(Number(whole.streams[0].nb_read_packets)).toBe(12);
    expect(Number(whole.streams[0].start_time)).toBe(0);
    expect(Number(whole.streams[0].duration)).toBeCloseTo(2.4, 1);
    // from 1.2 s: starts at the join fragment at 1.0 s (frame 5), ends at 1.5 s
    const middle = await probe(T0 + 1200, T0 + 1500);
    expect(Number(middle.streams[0].nb_read_packets)).toBe(3);
    expect(middle.format.tags?.comment).toContain(`first frame captured ${new Date(T0 + 1000).toISOString()}`);
    expect(Number(middle.streams[0].duration)).toBeCloseTo(0.6, 1);
    const across = await admin.get(`/api/recordings/${streamId}/export.mp4?from=${T0 + 60_000}&to=${T0 + 80_000}`);
    expect(across.status).toBe(409);
    expect(across.body).toMatchObject({ code: 'init-change', parts: [expect.objectContaining({ init: '000000000014-init.mp4'.replace('14', '01') }), expect.objectContaining({ init: '000000000017-init.mp4' })] });
    expect((await admin.get(across.body.parts[1].url)).status).toBe(200);
    expect((await admin.get(`/api/recordings/${streamId}/export.mp4?from=${T0 + 30_000}&to=${T0 + 40_000}`)).status).toBe(404); // inside the gap
    expect((await outsider.get(`/api/recordings/${streamId}/export.mp4`)).status).toBe(404);
  });

  let shared: { url: string; playlistUrl: string };

  it('makes a signed, short-lived share link that opens without an account, covers only its range, and is audited', async () => {
    expect((await outsider.post(`/api/recordings/${streamId}/share`, { fromMs: T0, toMs: T0 + 2400 })).status).toBe(404);
    expect((await insider.post(`/api/recordings/${streamId}/share`, { fromMs: T0 + 5, toMs: T0 })).status).toBe(400);
    expect((await insider.post(`/api/recordings/${streamId}/share`, { fromMs: T0, toMs: T0 + 2400, minutes: 99_999 })).status).toBe(400);
    const res = await insider.post(`/api/recordings/${streamId}/share`, { fromMs: T0, toMs: T0 + 2400, minutes: 5 });
    expect(res.status).toBe(201);
    shared = res.body;
    expect(shared.url).toMatch(new RegExp(`^${server.base}/api/shared/s1\\.[^/]+/recording\\.mp4$`));
    expect(res.body.expiresAtMs).toBeGreaterThan(Date.now() + 4 * 60_000);
    // no cookie, no key: the token is the credential
    const mp4 = await fetch(shared.url);
    expect(mp4.status).toBe(200);
    expect(mp4.headers.get('content-type')).toBe('video/mp4');
    const file = path.join(server.dataDir, 'shared.mp4');
    await writeFile(file, new Uint8Array(await mp4.arrayBuffer()));
    const probe = async (target: string) =>
      Number(JSON.parse((await promisify(execFile)('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'json', target], { encoding: 'utf8', timeout: 20_000 })).stdout).streams[0].nb_read_packets);
    expect(await probe(file)).toBe(12);
    expect(await probe(shared.playlistUrl)).toBe(12); // HLS through the same token
    const base = shared.url.replace(/recording\.mp4$/, '');
    expect((await fetch(`${base}files/000000000017-init.mp4`)).status).toBe(404); // outside the shared range
    expect((await fetch(`${base}files/000000000001-init.mp4`)).status).toBe(200);
    const tampered = shared.url.replace(/\.([A-Za-z0-9_-])([A-Za-z0-9_-]*)\/recording/, (_m, c: string, rest: string) => `.${c === 'A' ? 'B' : 'A'}${rest}/recording`);
    expect((await fetch(tampered)).status).toBe(403);
    const audit = (await admin.get(`/api/audit?targetId=${streamId}`)).body as { action: string }[];
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['recording.share', 'recording.share.use']));
  });

  it('deletes a recording with a reason: files gone, a record with sizes and SHA-256 in the audit log, 410 Gone afterwards', async () => {
    // (the previous test ended the stream)
    const dir = path.join(server.dataDir, 'streams', streamId);
    const names = (await readdir(dir)).sort();
    const expected = createHash('sha256');
    for (const name of names) expected.update(await readFile(path.join(dir, name)));
    expect((await insider.delete(`/api/recordings/${streamId}`, { body: { reason: 'not an admin' } })).status).toBe(403);
    const noReason = await admin.delete(`/api/recordings/${streamId}`, { body: {} });
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(noReason.body.message)).toMatch(/reason must be/);
    const res = await admin.delete(`/api/recordings/${streamId}`, { body: { reason: 'data subject request 118' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ streamId, examId, by: 'admin@vigil.test', reason: 'data subject request 118', files: names.length, sha256: expected.digest('hex') });
    expect(existsSync(dir)).toBe(false);
    const gone = await insider.get(`/api/recordings/${streamId}/index`);
    expect(gone.status).toBe(410);
    expect(gone.body.deletion).toMatchObject({ streamId, reason: 'data subject request 118', sha256: res.body.sha256 });
    expect((await admin.get(`/api/recordings/${streamId}/recording.mp4`)).status).toBe(410);
    expect((await outsider.get(`/api/recordings/${streamId}`)).status).toBe(404); // another exam: still looks missing
    expect((await fetch(shared.url)).status).toBe(410); // share links die with the recording
    const audit = (await admin.get(`/api/audit?action=recording.delete`)).body;
    expect(audit).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'recording.delete', targetId: streamId })]));
  });

  it('refuses to delete a live recording (409) and deletes an exam\'s recordings in one call', async () => {
    const live = await connectSentinel(server, await createSeat(admin, examId, 'h-2'), { frames: 3 });
    const conflict = await admin.delete(`/api/recordings/${live.streamId}`, { body: { reason: 'too early' } });
    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toMatch(/still live: end it first/);
    expect((await admin.delete(`/api/exams/${examId}/recordings`, { body: { reason: 'too early' } })).status).toBe(409); // nothing deleted
    expect((await admin.get(`/api/recordings/${live.streamId}`)).status).toBe(200);
    expect((await admin.post(`/api/streams/${live.streamId}/end`)).status).toBeLessThan(300);
    const all = await admin.delete(`/api/exams/${examId}/recordings`, { body: { reason: 'exam cancelled' } });
    expect(all.status).toBe(200);
    expect(all.body.deleted.map((d: { streamId: string }) => d.streamId)).toEqual([live.streamId]);
    expect((await admin.get(`/api/recordings/${live.streamId}`)).status).toBe(410);
    live.socket.ws.close();
  });
});
