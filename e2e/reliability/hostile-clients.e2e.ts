import { test, expect } from '@playwright/test';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { findBox, writeFragment, writeInitSegment } from '@vigil/fmp4';
import {
  MAX_MEDIA_MESSAGE_BYTES,
  MediaFlags,
  MediaKind,
  encodeControl,
  encodeMediaMessage,
  parseServerToProctor,
  type ServerToProctorMessage,
} from '@vigil/protocol';
import { startServer, RunningServer } from '../support/server';
import { ApiSession, adminEnv, apiKeySession, createExam, createSeat, loginAdmin } from '../support/auth';
import { encodeTestVideo } from '../player/h264-source';
import { NodeSentinel, waitFor } from '../support/node-sentinel';

/**
 * No client input ends the server or touches another student's stream (issue 8, finding 1).
 * The server runs as its own process. One well-behaved Sentinel streams real H.264 and a
 * proctor watches it; then each hostile message below comes from its own connection (with a
 * valid seat token where the attack needs one). After every one: the process is alive,
 * `/api/health` answers, the hostile connection got a coded error (or a close), and the good
 * stream is still acknowledged (recorded) and relayed live to the proctor.
 */
test.describe.configure({ mode: 'serial' });
test.setTimeout(240_000);

let server: RunningServer;
let admin: ApiSession;
let exam: { id: string };
let good: NodeSentinel;
let proctor: WebSocket;
let proctorBinaries = 0;
const proctorTexts: ServerToProctorMessage[] = [];
let seatCount = 0;

test.beforeAll(async () => {
  server = await startServer({ ...adminEnv() });
  admin = await loginAdmin(server);
  exam = await createExam(admin, { name: 'hostile' });
  const seat = await createSeat(admin, exam.id, 'good');
  const video = encodeTestVideo({ width: 320, height: 240, fps: 5, frames: 10, gop: 10, outDir: path.join(tmpdir(), 'vigil-e2e-video') });
  good = new NodeSentinel({ baseUrl: server.baseUrl, token: seat.token, examId: exam.id, seatId: seat.id, video, fps: 5 });
  good.start();
  await waitFor(() => good.lastAcked >= 3, 'the good Sentinel acknowledged');
  const key = await apiKeySession(admin, 'hostile-test');
  proctor = new WebSocket(server.baseUrl.replace(/^http/, 'ws') + '/ws/proctor', { headers: { authorization: `Bearer ${key.apiKey}` } });
  proctor.on('message', (data, isBinary) => {
    if (isBinary) proctorBinaries++;
    else proctorTexts.push(parseServerToProctor(String(data)));
  });
  await new Promise((r) => proctor.once('open', r));
  proctor.send(JSON.stringify({ type: 'subscribe', streamId: good.streamId }));
  await waitFor(() => proctorBinaries > 2, 'the proctor receiving the good stream');
});

test.afterAll(async () => {
  good?.stop();
  proctor?.close();
  await server?.stop();
});

/** The good stream is still recorded (new acks) and relayed (new binaries); the process lives. */
async function expectGoodStreamUnharmed(): Promise<void> {
  expect(server.logs.join('')).not.toMatch(/uncaught|unhandled error in a stream pipeline/i);
  const acked = good.lastAcked;
  const relayed = proctorBinaries;
  await waitFor(() => good.lastAcked >= acked + 3 && proctorBinaries >= relayed + 3, 'the good stream to go on (acked and relayed)', 10_000);
  const health = await fetch(`${server.baseUrl}/api/health`);
  expect(health.status).toBe(200);
  expect(good.errors).toEqual([]);
}

/** A raw Sentinel connection: records texts and the close code. */
async function rawSentinel(): Promise<{ ws: WebSocket; texts: string[]; closed: Promise<number> }> {
  const ws = new WebSocket(server.baseUrl.replace(/^http/, 'ws') + '/ws/sentinel', { headers: { origin: server.baseUrl } });
  const texts: string[] = [];
  ws.on('message', (d, isBinary) => {
    if (!isBinary) texts.push(String(d));
  });
  ws.on('error', () => undefined);
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  return { ws, texts, closed };
}

async function helloAsNewSeat(): Promise<{ ws: WebSocket; texts: string[]; closed: Promise<number>; streamId: string }> {
  const seat = await createSeat(admin, exam.id, `h${++seatCount}`);
  const s = await rawSentinel();
  s.ws.send(encodeControl({ type: 'hello', protocol: 1, token: seat.token, examId: exam.id, seatId: seat.id, encoder: 'webcodecs', userAgent: 'hostile', capabilities: { encoders: [] } }));
  await waitFor(() => s.texts.some((t) => t.includes('"welcome"')), 'welcome');
  const welcome = JSON.parse(s.texts.find((t) => t.includes('"welcome"'))!) as { streamId: string };
  return { ...s, streamId: welcome.streamId };
}

function errorCodes(texts: string[]): string[] {
  return texts.map((t) => JSON.parse(t) as { type: string; code?: string }).filter((m) => m.type === 'error').map((m) => m.code!);
}

/** An init segment that declares `width` x `height` in its `avc1` sample entry (the writer refuses > 4096). */
function initDeclaring(width: number, height: number): Uint8Array {
  const video = encodeTestVideo({ width: 320, height: 240, fps: 5, frames: 10, gop: 10, outDir: path.join(tmpdir(), 'vigil-e2e-video') });
  const init = writeInitSegment({ width: 320, height: 240, avcC: video.avcC });
  const avc1 = findBox(init, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'avc1'])!;
  const view = new DataView(init.buffer, init.byteOffset, init.byteLength);
  view.setUint16(avc1.contentStart + 24, width);
  view.setUint16(avc1.contentStart + 26, height);
  return init;
}

test('an init segment declaring 5000x5000 pixels is refused (bad-init-segment); the server and the other stream go on', async () => {
  const s = await helloAsNewSeat();
  s.ws.send(encodeMediaMessage({ kind: MediaKind.InitSegment, flags: 0, channel: 0, sequence: 1 }, initDeclaring(5000, 5000)));
  expect(await s.closed).toBe(1002); // protocol error (RFC 6455 §7.4.1), the code for bad-init-segment
  expect(errorCodes(s.texts)).toEqual(['bad-init-segment']);
  await new Promise((r) => setTimeout(r, 700)); // a stream-list push (every 500 ms) has run
  await expectGoodStreamUnharmed();
});

test('more streams for one seat than its cap are refused (server-busy), never reaching the stream list', async () => {
  const seat = await createSeat(admin, exam.id, 'many');
  const refused: string[] = [];
  const sockets: WebSocket[] = [];
  for (let i = 0; i < 6; i++) {
    const s = await rawSentinel();
    sockets.push(s.ws);
    s.ws.send(encodeControl({ type: 'hello', protocol: 1, token: seat.token, examId: exam.id, seatId: seat.id, encoder: 'webcodecs', userAgent: 'hostile', capabilities: { encoders: [] } }));
    await waitFor(() => s.texts.length > 0, 'an answer to hello');
    refused.push(...errorCodes(s.texts));
  }
  expect(refused.length).toBeGreaterThan(0);
  expect(new Set(refused)).toEqual(new Set(['server-busy']));
  for (const ws of sockets) ws.close();
  await expectGoodStreamUnharmed();
});

test('malformed frames from a connected Sentinel end only that connection, each with its code', async () => {
  const cases: { name: string; send: (ws: WebSocket, streamId: string) => void; code: string | null }[] = [
    { name: 'binary garbage', send: (ws) => ws.send(Buffer.from('not a media message at all')), code: 'unsupported-version' },
    { name: 'invalid JSON', send: (ws) => ws.send('{"type":'), code: 'bad-message' },
    { name: 'a second hello', send: (ws) => ws.send(encodeControl({ type: 'hello', protocol: 1, token: 'x', examId: exam.id, seatId: 'x', encoder: 'webcodecs', userAgent: 'x', capabilities: { encoders: [] } })), code: 'bad-message' },
    { name: 'a gap ending before it starts', send: (ws) => ws.send(JSON.stringify({ type: 'gap', fromMs: 2000, toMs: 1000, reason: 'network' })), code: 'bad-message' },
    { name: 'a fragment before any init segment', send: (ws) => ws.send(encodeMediaMessage({ kind: MediaKind.Fragment, flags: MediaFlags.Join, channel: 0, sequence: 1 }, writeFragment({ sequenceNumber: 1, baseMediaDecodeTime: 0, duration: 18000, isSync: true, sample: new Uint8Array(100) }))), code: 'bad-fragment' },
    { name: 'a sequence gap', send: (ws) => ws.send(encodeMediaMessage({ kind: MediaKind.InitSegment, flags: 0, channel: 0, sequence: 7 }, initDeclaring(320, 240))), code: 'sequence-gap' },
    { name: 'text over 16 KiB', send: (ws) => ws.send('x'.repeat(17 * 1024)), code: null },
    {
      name: 'an 8 MiB fragment of zero-size samples',
      send: (ws) => {
        // after an init segment (sequence 1): a moof whose trun claims ~2M samples of 0 bytes
        ws.send(encodeMediaMessage({ kind: MediaKind.InitSegment, flags: 0, channel: 0, sequence: 1 }, initDeclaring(320, 240)));
        ws.send(encodeMediaMessage({ kind: MediaKind.Fragment, flags: 0, channel: 0, sequence: 2 }, zeroSampleFragment(MAX_MEDIA_MESSAGE_BYTES - 16)));
      },
      code: null,
    },
    { name: 'a message over 8 MiB', send: (ws) => ws.send(new Uint8Array(MAX_MEDIA_MESSAGE_BYTES + 1)), code: null },
  ];
  for (const c of cases) {
    const s = await helloAsNewSeat();
    const before = s.texts.length;
    c.send(s.ws, s.streamId);
    const closeCode = await Promise.race([s.closed, new Promise<number>((r) => setTimeout(() => r(-1), 10_000))]);
    expect(closeCode, c.name).not.toBe(-1);
    expect(closeCode, c.name).not.toBe(1006); // the server closed it, with a code
    if (c.code) expect(errorCodes(s.texts.slice(before)), c.name).toEqual([c.code]);
    await expectGoodStreamUnharmed();
  }
});

test('proctor misuse ends only that proctor connection', async () => {
  const key = await apiKeySession(admin, 'hostile-proctor');
  for (const send of [(ws: WebSocket) => ws.send(Buffer.from([1, 2, 3])), (ws: WebSocket) => ws.send('{"type":"subscribe"}'), (ws: WebSocket) => ws.send('y'.repeat(20_000))]) {
    const ws = new WebSocket(server.baseUrl.replace(/^http/, 'ws') + '/ws/proctor', { headers: { authorization: `Bearer ${key.apiKey}` } });
    ws.on('error', () => undefined);
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    send(ws);
    expect(await closed).toBeGreaterThanOrEqual(1000);
    await expectGoodStreamUnharmed();
  }
});

/**
 * A fragment of at most `maxSize` bytes whose `trun` declares as many zero-size samples as
 * fit (4 bytes each: sample_size only), with consistent box sizes so a parser reaches its
 * per-sample loop: the amplification attack of issue 8 finding 5.
 */
function zeroSampleFragment(maxSize: number): Uint8Array {
  const fixed = 8 /* moof */ + 16 /* mfhd */ + 8 /* traf */ + 16 /* tfhd */ + 20 /* tfdt v1 */ + 20 /* trun header */ + 8; /* mdat */
  const samples = Math.floor((maxSize - fixed) / 4);
  const trunSize = 20 + samples * 4;
  const trafSize = 8 + 16 + 20 + trunSize;
  const moofSize = 8 + 16 + trafSize;
  const out = new Uint8Array(moofSize + 8);
  const v = new DataView(out.buffer);
  let o = 0;
  const box = (len: number, type: string) => {
    v.setUint32(o, len);
    for (let i = 0; i < 4; i++) out[o + 4 + i] = type.charCodeAt(i);
    o += 8;
  };
  box(moofSize, 'moof');
  box(16, 'mfhd');
  v.setUint32(o + 4, 1); // version/flags 0, sequence_number 1
  o += 8;
  box(trafSize, 'traf');
  box(16, 'tfhd');
  v.setUint32(o, 0x020000); // version 0, flags: default-base-is-moof
  v.setUint32(o + 4, 1); // track_ID
  o += 8;
  box(20, 'tfdt');
  v.setUint32(o, 0x01000000); // version 1, 64-bit baseMediaDecodeTime 0
  o += 12;
  box(trunSize, 'trun');
  v.setUint32(o, 0x000201); // version 0, flags: data-offset-present, sample-size-present
  v.setUint32(o + 4, samples);
  v.setInt32(o + 8, moofSize + 8); // data starts right after the mdat header
  // the sample sizes stay 0
  v.setUint32(moofSize, 8);
  out.set([0x6d, 0x64, 0x61, 0x74], moofSize + 4);
  return out;
}
