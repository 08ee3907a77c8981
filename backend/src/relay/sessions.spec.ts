import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MediaKind, ProtocolError, decodeMediaMessage, encodeControl, encodeMediaMessage, parseServerToProctor, parseServerToSentinel } from '@vigil/protocol';
import { findBox, parseFragment, readBoxes, writeInitSegment } from '@vigil/fmp4';
import { StreamRegistry, StreamWriterFactory } from './stream-registry';
import { JOIN_TURN_MAX_MS, SentinelLink, SentinelSession } from './sentinel-session';
import { ProctorLink, ProctorSession } from './proctor-session';
import { RecordingStore } from '../recording/recording-store';
import { TEST_AVCC, fragmentMessage, initMessage, streamMessages } from '../testing/media-fixtures';
import { storeWriters, testRegistryOptions } from '../testing/registry-options';
import { stopNotice } from './stop-notice';

/** Real relay core + real files in a temp folder; only the sockets are replaced by recorders. */
describe('Sentinel and Proctor sessions over the relay core', () => {
  let dataDir: string;
  let registry: StreamRegistry;
  let writers: StreamWriterFactory;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'vigil-sessions-'));
    registry = new StreamRegistry(testRegistryOptions());
    const store = new RecordingStore(dataDir, false);
    writers = storeWriters(store);
  });

  afterEach(async () => {
    await registry.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  function sentinelLink() {
    const texts: ReturnType<typeof parseServerToSentinel>[] = [];
    const closes: { code: number; reason: string }[] = [];
    const link: SentinelLink = {
      sendText: (t) => texts.push(parseServerToSentinel(t)),
      close: (code, reason) => closes.push({ code, reason }),
    };
    return { link, texts, closes };
  }

  function proctorLink() {
    const texts: ReturnType<typeof parseServerToProctor>[] = [];
    const binaries: Uint8Array[] = [];
    const link: ProctorLink = {
      sendText: (t) => texts.push(parseServerToProctor(t)),
      sendBinary: (d) => binaries.push(d),
      sendReplay: (u) => binaries.push(u.message),
      bufferedAmount: () => 0,
      close: () => undefined,
    };
    return { link, texts, binaries };
  }

  const hello = (extra: Record<string, unknown> = {}) =>
    encodeControl({
      type: 'hello',
      protocol: 1,
      token: 'dev',
      examId: 'exam-1',
      seatId: 'seat-1',
      encoder: 'webcodecs',
      userAgent: 'jest',
      capabilities: { encoders: ['webcodecs'] },
      ...extra,
    } as Parameters<typeof encodeControl>[0]);

  /** A copy, as the network delivers: the server restamps the channel of what it receives in place. */
  const wire = (m: Uint8Array) => new Uint8Array(m);

  /** Waits (up to 5 s) until `ok()` holds: writes and acks are asynchronous. */
  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(ok()).toBe(true);
  };
  const acked = (texts: ReturnType<typeof parseServerToSentinel>[], sequence: number) => () =>
    texts.some((t) => t.type === 'ack' && t.sequence === sequence);

  async function connectSentinel(extra: Record<string, unknown> = {}) {
    const s = sentinelLink();
    const session = new SentinelSession(s.link, registry, writers);
    await session.handleText(hello(extra));
    const welcome = s.texts[0];
    if (welcome?.type !== 'welcome') throw new Error(`expected welcome, got ${JSON.stringify(welcome)}`);
    return { ...s, session, welcome };
  }

  it('joins take turns at the join gate: the next hello is welcomed once the previous stream\'s init is durable (or after JOIN_TURN_MAX_MS); one that closes while waiting leaves the queue', async () => {
    await registry.close();
    registry = new StreamRegistry(testRegistryOptions({ joinConcurrency: 1 }));
    const welcomedAt = new Map<string, number>();
    const join = (seatId: string) => {
      const s = sentinelLink();
      const sendText = s.link.sendText;
      // when the welcome left: the turn's timer starts right after it, in the same step
      s.link.sendText = (t) => {
        if (!welcomedAt.has(seatId)) welcomedAt.set(seatId, performance.now());
        sendText(t);
      };
      const session = new SentinelSession(s.link, registry, writers);
      const helloDone = session.handleText(hello({ seatId }));
      return { ...s, session, helloDone };
    };
    const a = join('seat-a');
    await a.helloDone;
    expect(a.texts[0]?.type).toBe('welcome');
    const b = join('seat-b');
    const c = join('seat-c');
    await until(() => registry.joins.waiting === 2);
    expect([b.texts, c.texts]).toEqual([[], []]);
    // authorized and waiting for a turn is not a silent connection
    b.session.expireHello(1);
    expect(b.closes).toEqual([]);
    c.session.handleClose(); // c gives up while waiting
    expect(registry.joins.waiting).toBe(1);

    // a's init durable (its first ack): a's turn ends, b's begins
    a.session.handleBinary(wire(streamMessages(1, 1)[0]!));
    await until(acked(a.texts, 1));
    await b.helloDone;
    expect(b.texts[0]?.type).toBe('welcome');
    await c.helloDone;
    expect(c.texts).toEqual([]);

    // b sends nothing after welcome: its turn ends JOIN_TURN_MAX_MS later all the same
    const d = join('seat-d');
    await new Promise((r) => setImmediate(r));
    expect(d.texts).toEqual([]);
    await d.helloDone;
    expect(d.texts[0]?.type).toBe('welcome');
    // timers may fire up to 1 ms early (millisecond rounding)
    expect(welcomedAt.get('seat-d')! - welcomedAt.get('seat-b')!).toBeGreaterThanOrEqual(JOIN_TURN_MAX_MS - 1);
    expect([registry.joins.admitted, registry.joins.waiting]).toEqual([1, 0]);
    d.session.handleClose();
    expect(registry.joins.admitted).toBe(0);
  });

  it('welcomes, records every unit to disk and acknowledges only after the write', async () => {
    const { session, texts, welcome } = await connectSentinel();
    expect(welcome.lastAckedSequence).toBe(0);
    for (const m of streamMessages(12, 5)) session.handleBinary(wire(m));
    await until(acked(texts, 13));
    const acks = texts.filter((t) => t.type === 'ack').map((t) => (t.type === 'ack' ? t.sequence : 0));
    expect(acks).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    const dir = path.join(dataDir, 'streams', welcome.streamId);
    const files = (await readdir(dir)).sort();
    expect(files.filter((f) => f.endsWith('.m4s'))).toHaveLength(3); // join fragments at 0, 5, 10
    expect(files).toContain('000000000001-init.mp4');
    const index = (await readFile(path.join(dir, 'index.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(index.map((e) => e.type)).toEqual(['init', 'segment', 'segment', 'segment']);
    expect(index[2]).toMatchObject({ sequence: 7, join: true, decodeTime: 5 * 18000, init: '000000000001-init.mp4' });
  });

  it('keeps the Sentinel\'s latest status report in one object, updated in place; a bad report closes only that connection', async () => {
    const a = await connectSentinel();
    const b = await connectSentinel({ seatId: 'seat-2' });
    const stream = registry.get(a.welcome.streamId)!;
    expect(stream.lastStatus).toBeNull();
    const status = { type: 'status', fps: 1, width: 1920, height: 1080, encoder: 'webcodecs', queueDepth: 3, queueBytes: 40_000, bytesSent: 123_456, keyframes: 2 } as const;
    await a.session.handleText(encodeControl(status));
    const first = stream.lastStatus;
    expect(first?.toJSON()).toEqual({ ...status, atMs: expect.any(Number) });
    await a.session.handleText(encodeControl({ ...status, fps: 0.2, queueDepth: 0, queueBytes: 0, bytesSent: 200_000, keyframes: 3, encoder: 'openh264-wasm' }));
    expect(stream.lastStatus).toBe(first); // the same object: nothing new outlives the report
    expect(stream.lastStatus?.toJSON()).toEqual({ ...status, fps: 0.2, queueDepth: 0, queueBytes: 0, bytesSent: 200_000, keyframes: 3, encoder: 'openh264-wasm', atMs: expect.any(Number) });
    expect(JSON.parse(JSON.stringify({ sentinelStatus: stream.lastStatus }))).toEqual({ sentinelStatus: stream.lastStatus?.toJSON() });

    // a report out of bounds: bad-message, this connection closed, the last good report kept, the other stream untouched
    await a.session.handleText(JSON.stringify({ ...status, queueDepth: -1 }));
    expect(a.texts.at(-1)).toMatchObject({ type: 'error', code: 'bad-message', fatal: true });
    expect(a.closes).toHaveLength(1);
    expect(stream.lastStatus?.queueDepth).toBe(0);
    await b.session.handleText(encodeControl(status));
    expect(registry.get(b.welcome.streamId)!.lastStatus?.queueDepth).toBe(3);
    expect(b.closes).toEqual([]);
  });

  it('writes a gap the Sentinel reports into the index, in order with the fragments', async () => {
    const { session, texts, welcome } = await connectSentinel();
    const messages = streamMessages(6, 3);
    for (const m of messages.slice(0, 4)) session.handleBinary(wire(m));
    await session.handleText(JSON.stringify({ type: 'gap', fromMs: 1_764_000_000_700, toMs: 1_764_000_009_000, reason: 'sentinel-restarted' }));
    for (const m of messages.slice(4)) session.handleBinary(wire(m));
    await until(acked(texts, 7));
    const index = (await readFile(path.join(dataDir, 'streams', welcome.streamId, 'index.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(index.map((e) => e.type)).toEqual(['init', 'segment', 'gap', 'segment']);
    expect(index[2]).toEqual({ type: 'gap', sequence: 4, fromMs: 1_764_000_000_700, toMs: 1_764_000_009_000, reason: 'sentinel-restarted', source: 'sentinel' });
    // resent with its message after a reconnect: recorded once
    await session.handleText(JSON.stringify({ type: 'gap', fromMs: 1_764_000_000_700, toMs: 1_764_000_009_000, reason: 'sentinel-restarted' }));
    session.handleBinary(wire(fragmentMessage(8, 6, { captureTimeMs: 1_764_000_009_100 })));
    await until(acked(texts, 8));
    const again = (await readFile(path.join(dataDir, 'streams', welcome.streamId, 'index.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(again.filter((e) => e.type === 'gap')).toHaveLength(1);
  });

  it('records a jump of the capture clock that no Sentinel gap explains as a gap of unknown reason', async () => {
    const { session, texts, welcome } = await connectSentinel();
    session.handleBinary(wire(initMessage(1)));
    session.handleBinary(wire(fragmentMessage(2, 0, { join: true, captureTimeMs: 1_764_000_000_000 })));
    session.handleBinary(wire(fragmentMessage(3, 1, { captureTimeMs: 1_764_000_000_200 })));
    session.handleBinary(wire(fragmentMessage(4, 2, { captureTimeMs: 1_764_000_060_000 }))); // a minute later
    await until(acked(texts, 4));
    const index = (await readFile(path.join(dataDir, 'streams', welcome.streamId, 'index.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(index.find((e) => e.type === 'gap')).toEqual({ type: 'gap', sequence: 3, fromMs: 1_764_000_000_400, toMs: 1_764_000_060_000, reason: 'unknown', source: 'server' });
  });

  it('a newer connection for the same stream closes the old one; the old one can no longer feed it', async () => {
    const first = await connectSentinel();
    const messages = streamMessages(6, 3);
    for (const m of messages.slice(0, 3)) first.session.handleBinary(wire(m));
    await until(acked(first.texts, 3));
    const second = await connectSentinel({ streamId: first.welcome.streamId });
    expect(first.closes).toEqual([{ code: 1000, reason: 'not-allowed' }]);
    expect(first.texts.at(-1)).toMatchObject({ type: 'error', code: 'not-allowed', message: expect.stringMatching(/newer connection/) });
    first.session.handleBinary(wire(messages[3])); // ignored: the old connection is closed
    for (const m of messages.slice(3)) second.session.handleBinary(wire(m));
    await until(acked(second.texts, 7));
    expect(second.closes).toEqual([]);
  });

  it('upload-only: refused without a recorded stream to continue, accepted with one, and not ended by capture rules', async () => {
    const first = await connectSentinel();
    for (const m of streamMessages(3, 3)) first.session.handleBinary(wire(m));
    await until(acked(first.texts, 4));
    first.session.handleClose();
    // the authorizer says the exam is over (within its upload grace)
    const overAuthorizer = async () => ({ examId: 'exam-1', seatId: 'seat-1', uploadOnly: true });
    const fresh = sentinelLink();
    await new SentinelSession(fresh.link, registry, writers, Date.now, {}, overAuthorizer).handleText(hello());
    expect(fresh.texts).toEqual([expect.objectContaining({ type: 'error', code: 'not-allowed', message: expect.stringMatching(/exam is over/) })]);
    const capture = sentinelLink();
    await new SentinelSession(capture.link, registry, writers, Date.now, {}, overAuthorizer).handleText(hello({ streamId: first.welcome.streamId }));
    expect(capture.texts).toEqual([expect.objectContaining({ type: 'error', code: 'not-allowed', message: expect.stringMatching(/uploadOnly/) })]);
    const upload = sentinelLink();
    const uploader = new SentinelSession(upload.link, registry, writers, Date.now, {}, overAuthorizer);
    await uploader.handleText(hello({ streamId: first.welcome.streamId, uploadOnly: true }));
    expect(upload.texts[0]).toMatchObject({ type: 'welcome', streamId: first.welcome.streamId, lastAckedSequence: 4 });
    expect(registry.get(first.welcome.streamId)?.uploadOnly).toBe(true);
    // the backlog is uploaded, the Sentinel closes: the upload-only stream ends at once
    uploader.handleClose();
    await until(() => registry.get(first.welcome.streamId) === undefined);
    const noStream = sentinelLink();
    await new SentinelSession(noStream.link, registry, writers).handleText(hello({ uploadOnly: true }));
    expect(noStream.texts[0]).toMatchObject({ type: 'error', code: 'bad-message', message: expect.stringMatching(/needs hello.streamId/) });
  });

  it('caps streams per seat, per exam and in total with server-busy, before opening any recording', async () => {
    await registry.close();
    registry = new StreamRegistry(testRegistryOptions({ maxStreams: 4, maxStreamsPerExam: 3, maxStreamsPerSeat: 2 }));
    const codes = async (extra: Record<string, unknown>) => {
      const s = sentinelLink();
      await new SentinelSession(s.link, registry, writers).handleText(hello(extra));
      return s.texts.map((t) => (t.type === 'error' ? `${t.code}: ${t.message}` : t.type));
    };
    expect(await codes({})).toEqual(['welcome']);
    expect(await codes({})).toEqual(['welcome']);
    expect(await codes({})).toEqual([expect.stringMatching(/^server-busy: seat seat-1 already has 2 streams/)]);
    expect(await codes({ seatId: 'seat-2' })).toEqual(['welcome']);
    expect(await codes({ seatId: 'seat-3' })).toEqual([expect.stringMatching(/^server-busy: exam exam-1 has its limit of 3/)]);
    expect(await codes({ examId: 'exam-2' })).toEqual(['welcome']);
    expect(await codes({ examId: 'exam-3' })).toEqual([expect.stringMatching(/^server-busy: this server holds its limit of 4 streams/)]);
    expect(registry.list()).toHaveLength(4);
    expect(await readdir(path.join(dataDir, 'streams'))).toHaveLength(4); // refused hellos opened nothing

    // an ended stream no longer counts: its seat and exam take a new one
    const seat1 = registry.list().find((s) => s.identity.examId === 'exam-1' && s.identity.seatId === 'seat-1')!;
    await registry.endStream(seat1.streamId);
    expect(await codes({ seatId: 'seat-3' })).toEqual(['welcome']);
    expect(await codes({})).toEqual([expect.stringMatching(/^server-busy: this server holds its limit of 4 streams/)]);
    await registry.endStream(registry.list().find((s) => s.identity.examId === 'exam-2')!.streamId);
    expect(await codes({})).toEqual([expect.stringMatching(/^server-busy: exam exam-1 has its limit of 3/)]);
    expect(await codes({ examId: 'exam-2', seatId: 'seat-1' })).toEqual(['welcome']);
  });

  it('a Sentinel whose init segment declares more than 4096 pixels is refused; the stream list stays valid', async () => {
    const proctor = proctorLink();
    const p = new ProctorSession(proctor.link, registry, 4 << 20);
    const { session, texts, closes } = await connectSentinel();
    const init = writeInitSegment({ width: 4096, height: 2304, avcC: TEST_AVCC });
    // patch the avc1 sample entry (ISO/IEC 14496-12 §12.1.3: width, height at content offset 24) to declare 5000x5000
    const avc1 = findBox(init, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'avc1'])!;
    new DataView(init.buffer, init.byteOffset).setUint16(avc1.contentStart + 24, 5000);
    new DataView(init.buffer, init.byteOffset).setUint16(avc1.contentStart + 26, 5000);
    session.handleBinary(encodeMediaMessage({ kind: MediaKind.InitSegment, flags: 0, channel: 0, sequence: 1 }, init));
    expect(texts.at(-1)).toMatchObject({ type: 'error', code: 'bad-init-segment', message: expect.stringMatching(/5000x5000 pixels/) });
    expect(closes).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 600)); // a stream-list push has run
    expect(proctor.texts.filter((t) => t.type === 'streams').at(-1)).toMatchObject({ type: 'streams' });
    p.handleClose();
  });

  it('drops duplicates resent after a reconnect and acknowledges from where the disk is', async () => {
    const first = await connectSentinel();
    const messages = streamMessages(10, 5);
    for (const m of messages.slice(0, 6)) first.session.handleBinary(wire(m));
    await until(acked(first.texts, 6));
    first.session.handleClose();
    const again = await connectSentinel({ streamId: first.welcome.streamId });
    expect(again.welcome.lastAckedSequence).toBe(6);
    for (const m of messages.slice(3)) again.session.handleBinary(wire(m)); // resends 4..11
    await until(acked(again.texts, 11));
    expect(again.closes).toEqual([]);
    const acks = again.texts.filter((t) => t.type === 'ack').map((t) => (t.type === 'ack' ? t.sequence : 0));
    expect(acks).toEqual([7, 8, 9, 10, 11]);
  });

  it('ends a stream with stop: the Sentinel is told why and closed normally, and what it sent stays recorded', async () => {
    const stopped = await connectSentinel();
    const other = await connectSentinel({ seatId: 'seat-2' });
    const messages = streamMessages(5, 5);
    for (const m of messages) stopped.session.handleBinary(wire(m));
    await until(acked(stopped.texts, 6));
    await registry.endStream(stopped.welcome.streamId, stopNotice('admin'));
    expect(stopped.texts.at(-1)).toEqual({ type: 'stop', reason: 'admin', message: expect.stringMatching(/exam staff ended/) });
    expect(stopped.closes).toEqual([{ code: 1000, reason: 'stream ended' }]);
    expect(registry.get(stopped.welcome.streamId)).toBeUndefined();
    const index = (await readFile(path.join(dataDir, 'streams', stopped.welcome.streamId, 'index.jsonl'), 'utf8')).trim().split('\n');
    expect(index.map((l) => JSON.parse(l).type)).toEqual(['init', 'segment']);
    // a late message on the closed session changes nothing; the other stream is untouched
    stopped.session.handleBinary(wire(messages[0]));
    expect(stopped.closes).toHaveLength(1);
    expect(registry.get(other.welcome.streamId)?.state).toBe('live');
    // ending without stop (server shutdown) tells the Sentinel nothing: it reconnects and resumes
    await registry.endStream(other.welcome.streamId);
    expect(other.texts.map((t) => t.type)).toEqual(['welcome']);
    expect(other.closes).toEqual([]);
  });

  it('refuses a gap in sequence numbers with a fatal sequence-gap error', async () => {
    const { session, texts, closes } = await connectSentinel();
    session.handleBinary(wire(initMessage(1)));
    session.handleBinary(wire(fragmentMessage(3, 0, { join: true })));
    const error = texts.find((t) => t.type === 'error');
    expect(error).toMatchObject({ type: 'error', code: 'sequence-gap', fatal: true });
    expect(closes).toHaveLength(1);
  });

  it('disconnects a Sentinel that sends garbage, and other streams go on', async () => {
    const good = await connectSentinel();
    const bad = await connectSentinel({ seatId: 'seat-2' });
    good.session.handleBinary(wire(initMessage(1)));
    const garbage = initMessage(1);
    garbage.fill(0x41, 20); // corrupt the init segment's boxes
    bad.session.handleBinary(garbage);
    expect(bad.texts.at(-1)).toMatchObject({ type: 'error', code: 'bad-init-segment', fatal: true });
    expect(bad.closes[0].code).toBe(1002); // RFC 6455 §7.4.1 protocol error
    good.session.handleBinary(wire(fragmentMessage(2, 0, { join: true })));
    await until(acked(good.texts, 2));
    expect(good.texts.at(-1)).toEqual({ type: 'ack', sequence: 2 });
    expect(good.closes).toEqual([]);
  });

  it('refuses media before hello and a JOIN flag that lies about the sample', async () => {
    const s = sentinelLink();
    const early = new SentinelSession(s.link, registry, writers);
    early.handleBinary(wire(initMessage(1)));
    expect(s.texts[0]).toMatchObject({ type: 'error', code: 'auth-required', fatal: true });

    const { session, texts } = await connectSentinel();
    session.handleBinary(wire(initMessage(1)));
    const lying = fragmentMessage(2, 0, { join: false });
    lying[3] = 1; // header says JOIN, trun says non-sync
    session.handleBinary(lying);
    expect(texts.at(-1)).toMatchObject({ code: 'bad-fragment', fatal: true });
    expect((texts.at(-1) as { message: string }).message).toMatch(/JOIN flag/);
  });

  it('starts a joining Proctor at the latest join fragment, then live, on the stream channel', async () => {
    const { session } = await connectSentinel();
    const messages = streamMessages(12, 5);
    for (const m of messages.slice(0, 10)) session.handleBinary(wire(m)); // init + frames 0..8 (IDR at 0, 5)
    const p = proctorLink();
    const proctor = new ProctorSession(p.link, registry, 1 << 20);
    const streamId = registry.list()[0].streamId;
    proctor.handleText(encodeControl({ type: 'subscribe', streamId }));
    expect(p.texts[0]).toMatchObject({ type: 'streams' });
    expect(p.texts[1]).toMatchObject({ type: 'subscribed', streamId, codec: 'avc1.42C01F', width: 1280, height: 720 });
    const sent = p.binaries.map((b) => decodeMediaMessage(b).header);
    expect(sent.map((h) => h.sequence)).toEqual([1, 7, 8, 9, 10]);
    expect(new Set(sent.map((h) => h.channel))).toEqual(new Set([registry.list()[0].channel]));
    const received = wire(messages[10]);
    session.handleBinary(received);
    expect(decodeMediaMessage(p.binaries.at(-1)!).header.sequence).toBe(11);
    expect(p.binaries.at(-1)).toBe(received); // the received buffer itself: no per-viewer copy
    proctor.handleClose();
  });

  it('asks the Sentinel for one keyframe when the join fragment is old, and the viewers start there', async () => {
    const { session, texts } = await connectSentinel();
    const messages = streamMessages(40, 100); // one IDR at frame 0, 8 s of frames at 5 fps
    for (const m of messages.slice(0, 41)) session.handleBinary(wire(m));
    const streamId = registry.list()[0].streamId;
    const viewers = [proctorLink(), proctorLink(), proctorLink()];
    for (const v of viewers) new ProctorSession(v.link, registry, 1 << 20).handleText(encodeControl({ type: 'subscribe', streamId }));
    expect(texts.filter((t) => t.type === 'keyframe')).toEqual([{ type: 'keyframe', reason: 'viewer-join' }]);
    for (const v of viewers) expect(v.binaries.map((b) => decodeMediaMessage(b).header.sequence)).toEqual([1]);
    session.handleBinary(wire(fragmentMessage(42, 40, { join: true })));
    for (const v of viewers) expect(v.binaries.map((b) => decodeMediaMessage(b).header.sequence)).toEqual([1, 42]);
  });

  it('a viewer joining before the first fragment (or just after an init segment) waits for its join fragment without a keyframe request', async () => {
    const { session, texts } = await connectSentinel();
    const streamId = registry.list()[0].streamId;
    const early = proctorLink();
    new ProctorSession(early.link, registry, 1 << 20).handleText(encodeControl({ type: 'subscribe', streamId })); // nothing received yet
    const messages = streamMessages(6, 100);
    session.handleBinary(wire(messages[0])); // init segment: the next fragment is a join fragment
    const afterInit = proctorLink();
    new ProctorSession(afterInit.link, registry, 1 << 20).handleText(encodeControl({ type: 'subscribe', streamId }));
    expect(texts.filter((t) => t.type === 'keyframe')).toEqual([]); // the join fragment is on its way: no second IDR asked for
    for (const m of messages.slice(1)) session.handleBinary(wire(m));
    for (const v of [early, afterInit]) expect(v.binaries.map((b) => decodeMediaMessage(b).header.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(texts.filter((t) => t.type === 'keyframe')).toEqual([]);
  });

  it('a viewer joining within the keyframe rate limit gets its keyframe once the limit has passed, not at the next scheduled IDR', async () => {
    const { session, texts } = await connectSentinel();
    const messages = streamMessages(40, 100); // one IDR at frame 0, 8 s of frames at 5 fps
    for (const m of messages.slice(0, 41)) session.handleBinary(wire(m));
    const streamId = registry.list()[0].streamId;
    const first = proctorLink();
    new ProctorSession(first.link, registry, 1 << 20).handleText(encodeControl({ type: 'subscribe', streamId }));
    const keyframes = () => texts.filter((t) => t.type === 'keyframe').length;
    expect(keyframes()).toBe(1);
    session.handleBinary(wire(fragmentMessage(42, 40, { join: true }))); // the first viewer's IDR
    for (let i = 0; i < 20; i++) session.handleBinary(wire(fragmentMessage(43 + i, 41 + i))); // 4 s of P frames: the IDR is too old to join at
    const second = proctorLink();
    const askedAt = Date.now();
    new ProctorSession(second.link, registry, 1 << 20).handleText(encodeControl({ type: 'subscribe', streamId }));
    expect(keyframes()).toBe(1); // within 1 s of the first request: deferred
    while (keyframes() < 2 && Date.now() - askedAt < 3000) await new Promise((r) => setTimeout(r, 20));
    expect(keyframes()).toBe(2);
    expect(Date.now() - askedAt).toBeLessThan(1500);
    session.handleBinary(wire(fragmentMessage(63, 61, { join: true })));
    expect(second.binaries.map((b) => decodeMediaMessage(b).header.sequence)).toEqual([1, 63]);
  });

  it('refuses a hello the authorizer refuses, and streams as the seat it names', async () => {
    const refused = sentinelLink();
    const denyAll = async () => {
      throw new ProtocolError('auth-failed', 'seat token expired: ask the invigilator for a new kiosk link', { fatal: true });
    };
    await new SentinelSession(refused.link, registry, writers, Date.now, {}, denyAll).handleText(hello());
    expect(refused.texts).toEqual([{ type: 'error', code: 'auth-failed', message: 'seat token expired: ask the invigilator for a new kiosk link', fatal: true }]);
    expect(refused.closes).toHaveLength(1);
    expect(registry.list()).toHaveLength(0);

    const allowed = sentinelLink();
    const fromToken = async () => ({ examId: 'exam-from-token', seatId: 'seat-from-token' });
    await new SentinelSession(allowed.link, registry, writers, Date.now, {}, fromToken).handleText(hello());
    expect(allowed.texts[0]).toMatchObject({ type: 'welcome' });
    expect(registry.list()[0].identity).toMatchObject({ examId: 'exam-from-token', seatId: 'seat-from-token' });
  });

  it('shows a Proctor only the exams it may watch; other streams look missing', async () => {
    await connectSentinel({ examId: 'exam-1' });
    await connectSentinel({ examId: 'exam-2', seatId: 'seat-9' });
    const p = proctorLink();
    const onlyExam2 = { canWatch: (examId: string) => examId === 'exam-2' };
    const proctor = new ProctorSession(p.link, registry, 1 << 20, Date.now, onlyExam2);
    const list = p.texts[0];
    expect(list.type === 'streams' && list.streams.map((x) => x.examId)).toEqual(['exam-2']);
    const other = registry.list().find((x) => x.identity.examId === 'exam-1')!;
    proctor.handleText(encodeControl({ type: 'subscribe', streamId: other.streamId }));
    expect(p.texts.at(-1)).toMatchObject({ type: 'error', code: 'unknown-stream', fatal: false });
    expect(other.viewerCount).toBe(0);
  });

  it('tells a Proctor about unknown streams without disconnecting it', () => {
    const p = proctorLink();
    const proctor = new ProctorSession(p.link, registry, 1 << 20);
    proctor.handleText(encodeControl({ type: 'subscribe', streamId: 'nope' }));
    expect(p.texts.at(-1)).toMatchObject({ type: 'error', code: 'unknown-stream', fatal: false });
    proctor.handleText('{"type":"subscribe"}');
    expect(p.texts.at(-1)).toMatchObject({ type: 'error', code: 'bad-message' });
  });

  it('resumes a recording after a server restart: torn tail trimmed, sequence continues', async () => {
    const first = await connectSentinel();
    const messages = streamMessages(8, 4);
    for (const m of messages.slice(0, 7)) first.session.handleBinary(wire(m));
    await until(acked(first.texts, 7));
    await registry.close();
    // simulate a crash mid-write: half a fragment at the end of the last segment file
    const dir = path.join(dataDir, 'streams', first.welcome.streamId);
    const last = (await readdir(dir)).filter((f) => f.endsWith('.m4s')).sort().at(-1)!;
    const { appendFile } = await import('node:fs/promises');
    await appendFile(path.join(dir, last), messages[7].subarray(16, 60));

    registry = new StreamRegistry(testRegistryOptions());
    const again = await connectSentinel({ streamId: first.welcome.streamId });
    expect(again.welcome.lastAckedSequence).toBe(7);
    for (const m of messages.slice(7)) again.session.handleBinary(wire(m));
    await until(acked(again.texts, 9));
    expect(again.texts.at(-1)).toEqual({ type: 'ack', sequence: 9 });
    const data = new Uint8Array(await readFile(path.join(dir, last)));
    // frames 4,5 (seq 6,7) then 6,7 (seq 8,9): the torn bytes are gone
    let start = 0;
    const seqs: number[] = [];
    for (const box of readBoxes(data)) {
      if (box.type !== 'mdat') continue;
      seqs.push(parseFragment(data.subarray(start, box.end)).sequenceNumber);
      start = box.end;
    }
    expect(start).toBe(data.byteLength);
    expect(seqs).toEqual([6, 7, 8, 9]);
  });
});
