import { parseSentinelMessage, type SentinelMessage } from '@vigil/protocol';
import { FakeScheduler } from '../testing/fake-scheduler';
import { EventQueue } from './event-queue';
import { OutboundQueue, type OutboundMessage } from './outbound-queue';
import { SentinelSender, type SentinelSenderOptions, type SocketLike } from './sentinel-sender';

class FakeSocket implements SocketLike {
  readyState = 0;
  bufferedAmount = 0;
  binaryType: BinaryType = 'blob';
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  readonly sent: Array<string | Uint8Array> = [];
  closedWith: [number | undefined, string | undefined] | null = null;

  constructor(readonly url: string) {}

  send(data: string | ArrayBufferView): void {
    if (this.readyState !== 1) throw new Error('InvalidStateError: not open');
    this.sent.push(typeof data === 'string' ? data : (data as Uint8Array));
  }

  close(code?: number, reason?: string): void {
    this.closedWith = [code, reason];
    this.readyState = 3;
  }

  // --- server side ---
  open(): void {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }

  receive(message: object | string): void {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) } as MessageEvent);
  }

  serverClose(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason } as CloseEvent);
  }

  /** Text messages parsed with the protocol's own validator. */
  texts(): SentinelMessage[] {
    return this.sent.filter((d): d is string => typeof d === 'string').map((t) => parseSentinelMessage(t));
  }

  /** Sequence numbers of the binary messages (bytes 8..15 of the header). */
  sequences(): number[] {
    return this.sent
      .filter((d): d is Uint8Array => typeof d !== 'string')
      .map((d) => new DataView(d.buffer, d.byteOffset).getUint32(12));
  }
}

function media(sequence: number, bytes = 64): OutboundMessage {
  const data = new Uint8Array(bytes);
  new DataView(data.buffer).setUint32(12, sequence);
  return { sequence, kind: sequence === 1 ? 'init' : 'fragment', join: false, data };
}

function setup(over: Partial<SentinelSenderOptions> = {}) {
  const scheduler = new FakeScheduler(0);
  const queue = new OutboundQueue();
  const sockets: FakeSocket[] = [];
  const events: string[] = [];
  const errors: Array<[string, boolean, string | undefined]> = [];
  const resets: number[] = [];
  const sender = new SentinelSender({
    url: 'ws://127.0.0.1:9/ws/sentinel',
    hello: {
      token: 'seat-token',
      examId: 'exam-1',
      seatId: 'seat-7',
      encoder: 'webcodecs',
      userAgent: 'jest',
      capabilities: { encoders: ['webcodecs'] },
    },
    queue,
    scheduler,
    random: () => 0.5,
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    status: () => ({ fps: 1, width: 1920, height: 1080, encoder: 'webcodecs', keyframes: 1 }),
    events: {
      state: (s) => events.push(`state:${s}`),
      keyframe: (r) => events.push(`keyframe:${r}`),
      setFps: (fps, r) => events.push(`set-fps:${fps}:${r}`),
      ended: (r, m) => events.push(`ended:${r}:${m}`),
      ack: (n) => events.push(`ack:${n}`),
      welcome: (w, resumed) => events.push(`welcome:${w.streamId}:${resumed}`),
      streamReset: (first) => resets.push(first),
      captureClosed: (m) => events.push(`capture-closed:${m}`),
      drained: () => events.push('drained'),
      error: (m, fatal, code) => errors.push([m, fatal, code]),
    },
    ...over,
  });
  const last = () => sockets[sockets.length - 1]!;
  const welcome = (lastAckedSequence = 0, streamId = 'st-1', fps = 1) =>
    last().receive({ type: 'welcome', protocol: 1, streamId, lastAckedSequence, fps });
  return { scheduler, queue, sockets, sender, events, errors, resets, last, welcome };
}

describe('SentinelSender', () => {
  it('sends hello on open, without streamId the first time', () => {
    const { sender, last } = setup();
    sender.start();
    expect(sender.state).toBe('connecting');
    expect(last().url).toBe('ws://127.0.0.1:9/ws/sentinel');
    last().open();
    expect(last().binaryType).toBe('arraybuffer');
    expect(last().texts()).toEqual([
      {
        type: 'hello',
        protocol: 1,
        token: 'seat-token',
        examId: 'exam-1',
        seatId: 'seat-7',
        encoder: 'webcodecs',
        userAgent: 'jest',
        capabilities: { encoders: ['webcodecs'] },
      },
    ]);
  });

  it('streams nothing before welcome, then everything queued, then acks drop it', () => {
    const { sender, queue, last, welcome, events } = setup();
    queue.push(media(1));
    queue.push(media(2));
    sender.start();
    last().open();
    sender.pump();
    expect(last().sequences()).toEqual([]);
    welcome();
    expect(sender.state).toBe('connected');
    expect(sender.streamId).toBe('st-1');
    expect(last().sequences()).toEqual([1, 2]);
    expect(last().texts().map((m) => m.type)).toEqual(['hello', 'status']);
    queue.push(media(3));
    sender.pump();
    expect(last().sequences()).toEqual([1, 2, 3]);
    expect(sender.bytesSent).toBe(3 * 64);
    last().receive({ type: 'ack', sequence: 2 });
    expect(queue.depth).toBe(1);
    expect(events).toContain('ack:2');
  });

  it('sends events once welcomed, drops them on event-ack, and resends the unacknowledged after a reconnect', () => {
    const eventQueue = new EventQueue({ page: 'page-1' });
    const { sender, last, welcome, scheduler } = setup({ eventQueue });
    eventQueue.push('reload', 1000);
    sender.start();
    last().open();
    sender.pump();
    expect(last().texts().map((m) => m.type)).toEqual(['hello']); // nothing before welcome
    welcome();
    eventQueue.push('screen-blank', 2000, { state: 'start', heldMs: 2000, luma: 0 });
    sender.pump();
    const sent = () => last().texts().filter((m) => m.type === 'event').map((m) => (m.type === 'event' ? `${m.seq}:${m.kind}` : ''));
    expect(sent()).toEqual(['1:reload', '2:screen-blank']);
    last().receive({ type: 'event-ack', seq: 1 });
    expect(eventQueue.depth).toBe(1);
    last().serverClose(1006);
    eventQueue.push('online', 3000); // while away
    scheduler.advance(500);
    last().open();
    welcome();
    expect(sent()).toEqual(['2:screen-blank', '3:online']);
    last().receive({ type: 'event-ack', seq: 3 });
    expect(eventQueue.depth).toBe(0);
  });

  it('reconnects with backoff, resumes the stream and resends everything after lastAckedSequence', () => {
    const { sender, queue, sockets, last, welcome, scheduler, events } = setup();
    sender.start();
    last().open();
    welcome();
    for (let s = 1; s <= 5; s++) queue.push(media(s));
    sender.pump();
    last().receive({ type: 'ack', sequence: 2 });
    last().serverClose(1001, 'going away');
    expect(sender.state).toBe('reconnecting');
    queue.push(media(6)); // produced while disconnected
    sender.pump();
    scheduler.advance(499);
    expect(sockets).toHaveLength(1);
    scheduler.advance(1); // attempt 0: 500 ms with random 0.5
    expect(sockets).toHaveLength(2);
    last().open();
    expect(last().texts()[0]).toMatchObject({ type: 'hello', streamId: 'st-1' });
    welcome(4); // the server wrote 3 and 4 before the socket died
    expect(last().sequences()).toEqual([5, 6]);
    expect(queue.lastAcked).toBe(4);
    expect(sender.reconnects).toBe(1);
    expect(events).toContain('welcome:st-1:true');
  });

  it("spreads reconnects over the server's welcome.reconnectSpreadMs when that is longer than the backoff", () => {
    let r = 0.9;
    const { sender, sockets, last, scheduler } = setup({ random: () => r });
    sender.start();
    last().open();
    last().receive({ type: 'welcome', protocol: 1, streamId: 'st-1', lastAckedSequence: 0, fps: 1, reconnectSpreadMs: 10_000 });
    last().serverClose(1006);
    scheduler.advance(8_999);
    expect(sockets).toHaveLength(1); // 0.9 x 10 s, not the backoff's ~0.6 s
    scheduler.advance(1);
    expect(sockets).toHaveLength(2);
    r = 0.01; // a random time shorter than the backoff: the backoff holds (attempt 1: 1 s x (1 - 0.25 x 0.98) = 755 ms)
    last().serverClose(1006);
    scheduler.advance(754);
    expect(sockets).toHaveLength(2);
    scheduler.advance(1);
    expect(sockets).toHaveLength(3);
  });

  it('backs off exponentially while the server is down, and resets after a welcome', () => {
    const { sender, sockets, last, scheduler, welcome } = setup();
    sender.start();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      last().serverClose();
      const before = sockets.length;
      while (sockets.length === before) scheduler.advance(50);
      times.push(scheduler.now());
    }
    const gaps = times.map((t, i) => t - (i === 0 ? 0 : times[i - 1]!));
    expect(gaps).toEqual([500, 1000, 2000, 4000, 8000]);
    last().open();
    welcome();
    last().serverClose();
    const t0 = scheduler.now();
    const before = sockets.length;
    while (sockets.length === before) scheduler.advance(50);
    expect(scheduler.now() - t0).toBe(500);
  });

  it('waits while the socket holds more than maxBufferedBytes', () => {
    const { sender, queue, last, welcome, scheduler } = setup({ maxBufferedBytes: 64 * 1024 });
    sender.start();
    last().open();
    welcome();
    last().bufferedAmount = 100_000;
    queue.push(media(1));
    queue.push(media(2));
    sender.pump();
    expect(last().sequences()).toEqual([]);
    scheduler.advance(100);
    expect(last().sequences()).toEqual([]);
    last().bufferedAmount = 0;
    scheduler.advance(25);
    expect(last().sequences()).toEqual([1, 2]);
  });

  it('sends status every 2 s while connected', () => {
    const { sender, last, welcome, scheduler, queue } = setup();
    sender.start();
    last().open();
    welcome();
    queue.push(media(1, 100));
    sender.pump();
    scheduler.advance(6000);
    const statuses = last().texts().filter((m) => m.type === 'status');
    expect(statuses).toHaveLength(4);
    expect(statuses[3]).toEqual({
      type: 'status',
      fps: 1,
      width: 1920,
      height: 1080,
      encoder: 'webcodecs',
      queueDepth: 1,
      queueBytes: 100,
      bytesSent: 100,
      keyframes: 1,
    });
  });

  it('reports keyframe and set-fps requests', () => {
    const { sender, last, welcome, events } = setup();
    sender.start();
    last().open();
    welcome();
    last().receive({ type: 'keyframe', reason: 'viewer-join' });
    last().receive({ type: 'set-fps', fps: 5, reason: 'admin' });
    expect(events).toEqual(expect.arrayContaining(['keyframe:viewer-join', 'set-fps:5:admin']));
  });

  it('stops for good on a fatal authentication error', () => {
    const { sender, last, sockets, scheduler, errors } = setup();
    sender.start();
    last().open();
    last().receive({ type: 'error', code: 'auth-failed', message: 'unknown seat token', fatal: true });
    expect(sender.state).toBe('failed');
    expect(errors.at(-1)).toEqual(['server error auth-failed: unknown seat token', true, 'auth-failed']);
    last().serverClose(1008);
    scheduler.advance(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('on stop: reports why, closes normally, sends nothing more and never reconnects', () => {
    const { sender, queue, last, welcome, sockets, scheduler, events, errors } = setup();
    sender.start();
    last().open();
    welcome();
    last().receive({ type: 'stop', reason: 'exam-over', message: 'The exam window has closed.' });
    expect(events.slice(-2)).toEqual(['ended:exam-over:The exam window has closed.', 'state:ended']);
    expect(sender.state).toBe('ended');
    expect(last().closedWith).toEqual([1000, 'stream ended by the server']);
    expect(errors).toEqual([]); // a stop is not an error
    const sent = last().sent.length;
    queue.push(media(1));
    sender.pump();
    scheduler.advance(60_000); // no status, no watchdog, no reconnect
    expect(last().sent).toHaveLength(sent);
    expect(sockets).toHaveLength(1);
    sender.stop();
    expect(sender.state).toBe('stopped');
  });

  it('keeps reconnecting after other fatal errors', () => {
    const { sender, last, sockets, scheduler, errors } = setup();
    sender.start();
    last().open();
    last().receive({ type: 'error', code: 'server-busy', message: 'try later', fatal: true });
    last().serverClose(1013);
    expect(errors.some(([m, fatal]) => m.includes('server-busy') && !fatal)).toBe(true);
    scheduler.advance(600);
    expect(sockets).toHaveLength(2);
  });

  it('opens a new stream after unknown-stream and renumbers the queue', () => {
    const { sender, queue, last, welcome, scheduler, resets } = setup();
    sender.start();
    last().open();
    welcome();
    for (let s = 1; s <= 3; s++) queue.push(media(s));
    sender.pump();
    last().serverClose();
    scheduler.advance(500);
    last().open();
    last().receive({ type: 'error', code: 'unknown-stream', message: 'no such stream', fatal: true });
    last().serverClose(1008);
    scheduler.advance(1000);
    last().open();
    expect(last().texts()[0]).not.toHaveProperty('streamId');
    welcome(0, 'st-2');
    expect(resets).toEqual([1]);
    expect(queue.depth).toBe(0);
    expect(queue.nextSequence).toBe(1);
    expect(sender.streamId).toBe('st-2');
  });

  it('treats a welcome naming another stream as a new stream', () => {
    const { sender, queue, last, welcome, scheduler, resets } = setup();
    sender.start();
    last().open();
    welcome();
    queue.push(media(1));
    sender.pump();
    last().serverClose();
    scheduler.advance(500);
    last().open();
    welcome(0, 'st-9');
    expect(resets).toEqual([1]);
    expect(queue.depth).toBe(0);
  });

  it('gives up on an attempt with no welcome within connectTimeoutMs', () => {
    const { sender, last, sockets, scheduler, errors } = setup({ connectTimeoutMs: 3000 });
    sender.start();
    last().open();
    scheduler.advance(3000);
    expect(errors.at(-1)![0]).toContain('no welcome from the server within 3000 ms');
    expect(sockets[0]!.closedWith).toEqual([4000, 'sentinel reconnecting']);
    scheduler.advance(500);
    expect(sockets).toHaveLength(2);
  });

  it('reconnects when sent media stays unacknowledged and the server is silent', () => {
    const { sender, queue, last, welcome, scheduler, sockets } = setup({ silenceTimeoutMs: 10_000 });
    sender.start();
    last().open();
    welcome();
    queue.push(media(1));
    sender.pump();
    scheduler.advance(10_000);
    expect(sockets).toHaveLength(1);
    scheduler.advance(5_000);
    expect(sockets[0]!.closedWith).not.toBeNull();
    scheduler.advance(600);
    expect(sockets).toHaveLength(2);
  });

  it('fails without retrying when its own hello is invalid (e.g. a token with spaces)', () => {
    const { sender, last, sockets, scheduler, errors } = setup({
      hello: { token: 'not a token', examId: 'e', seatId: 's', encoder: 'webcodecs', userAgent: '', capabilities: { encoders: [] } },
    });
    sender.start();
    last().open();
    expect(sender.state).toBe('failed');
    expect(errors.at(-1)![0]).toMatch(/^cannot send hello: .*token/);
    scheduler.advance(30_000);
    expect(sockets).toHaveLength(1);
  });

  it('ignores and reports malformed server messages', () => {
    const { sender, last, welcome, errors } = setup();
    sender.start();
    last().open();
    welcome();
    last().receive('not json');
    last().receive({ type: 'set-fps', fps: 50, reason: 'admin' });
    last().receive({ type: 'ack', sequence: 99 }); // beyond anything sent
    last().onmessage?.({ data: new ArrayBuffer(4) } as MessageEvent);
    expect(errors).toHaveLength(4);
    expect(errors[1]![0]).toContain('set-fps.fps');
    expect(errors[2]![0]).toContain('ack 99 is beyond');
    expect(sender.state).toBe('connected');
  });

  it('stop() closes and never reconnects; it is idempotent', () => {
    const { sender, last, sockets, scheduler, events } = setup();
    sender.start();
    last().open();
    sender.stop();
    sender.stop();
    expect(sender.state).toBe('stopped');
    expect(sockets[0]!.closedWith).toEqual([1000, 'sentinel stopped']);
    scheduler.advance(60_000);
    expect(sockets).toHaveLength(1);
    expect(events.filter((e) => e === 'state:stopped')).toHaveLength(1);
  });

  it('survives a throwing listener', () => {
    const { sender, last, welcome } = setup({ events: { welcome: () => { throw new Error('bad listener'); } } });
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    sender.start();
    last().open();
    welcome();
    expect(sender.state).toBe('connected');
  });

  it('throws a TypeError on bad options', () => {
    const base = setup();
    const opts = (over: Partial<SentinelSenderOptions>) =>
      ({ url: 'ws://h/ws/sentinel', hello: {}, queue: base.queue, status: () => ({}), scheduler: base.scheduler, ...over }) as SentinelSenderOptions;
    expect(() => new SentinelSender(null as never)).toThrow('options must be an object');
    expect(() => new SentinelSender(opts({ url: 'http://h/' }))).toThrow('options.url must be a ws: or wss: URL, got "http://h/"');
    expect(() => new SentinelSender(opts({ hello: null as never }))).toThrow('options.hello must be an object');
    expect(() => new SentinelSender(opts({ status: 1 as never }))).toThrow('options.status must be a function');
    expect(() => new SentinelSender(opts({ statusIntervalMs: 0 }))).toThrow('options.statusIntervalMs must be an integer >= 100, got 0');
    expect(() => new SentinelSender(opts({ maxBufferedBytes: 10 }))).toThrow(TypeError);
    expect(() => new SentinelSender(opts({ backoff: { jitter: 3 } }))).toThrow(TypeError);
  });

  describe('backlog: gaps, resuming an earlier page, upload-only drain', () => {
    it('sends the gap notices a message carries right before it, and again when it is resent', () => {
      const { sender, queue, last, welcome, scheduler } = setup();
      sender.start();
      last().open();
      welcome();
      queue.push(media(1));
      queue.push({ ...media(2), gaps: [{ fromMs: 1000, toMs: 4000, reason: 'capture-stopped' }] });
      sender.pump();
      const kinds = last().sent.map((d) => (typeof d === 'string' ? (JSON.parse(d) as { type: string }).type : 'media'));
      expect(kinds).toEqual(['hello', 'status', 'media', 'gap', 'media']);
      expect(last().texts().find((m) => m.type === 'gap')).toEqual({ type: 'gap', fromMs: 1000, toMs: 4000, reason: 'capture-stopped' });
      last().serverClose();
      scheduler.advance(500);
      last().open();
      welcome(1); // the server has 1; 2 and its gap come again
      expect(last().texts().filter((m) => m.type === 'gap')).toHaveLength(1);
      expect(last().sequences()).toEqual([2]);
    });

    it('holds back messages beyond the send gate until the backlog store releases them', () => {
      const { sender, queue, last, welcome } = setup();
      queue.allowSendThrough(0);
      sender.start();
      last().open();
      welcome();
      queue.push(media(1));
      queue.push(media(2));
      sender.pump();
      expect(last().sequences()).toEqual([]);
      queue.allowSendThrough(1);
      sender.pump();
      expect(last().sequences()).toEqual([1]);
    });

    it("resumes an earlier page's stream from the first hello and continues its sequence numbers", () => {
      const { sender, queue, last, welcome, resets, events } = setup();
      queue.reset(41); // the earlier page had 1..40 acknowledged
      for (let s = 41; s <= 43; s++) queue.push(media(s));
      sender.resumeStream('st-old');
      sender.start();
      last().open();
      expect(last().texts()[0]).toMatchObject({ type: 'hello', streamId: 'st-old' });
      expect(last().texts()[0]).not.toHaveProperty('uploadOnly');
      welcome(41, 'st-old');
      expect(resets).toEqual([]);
      expect(events).toContain('welcome:st-old:true');
      expect(last().sequences()).toEqual([42, 43]);
    });

    it("starts over when the server no longer knows the earlier page's stream (first welcome names another)", () => {
      const { sender, queue, last, welcome, resets } = setup();
      queue.reset(41);
      queue.push(media(41));
      sender.resumeStream('st-old');
      sender.start();
      last().open();
      welcome(0, 'st-new');
      expect(resets).toEqual([1]);
      expect(queue).toMatchObject({ depth: 0, nextSequence: 1 });
      expect(last().sequences()).toEqual([]);
    });

    it('refuses resumeStream after start and with a bad id', () => {
      const { sender } = setup();
      expect(() => sender.resumeStream('no spaces')).toThrow(TypeError);
      sender.start();
      expect(() => sender.resumeStream('st-1')).toThrow('resumeStream() must come before start(); the sender is connecting');
    });

    it('after stop with a backlog: reconnects upload-only, resends it, and ends once all is acknowledged', () => {
      const { sender, queue, sockets, last, welcome, scheduler, events } = setup();
      sender.start();
      last().open();
      welcome();
      for (let s = 1; s <= 4; s++) queue.push(media(s));
      sender.pump();
      last().receive({ type: 'ack', sequence: 2 });
      last().receive({ type: 'stop', reason: 'exam-over', message: 'The exam window has closed.' });
      expect(events).toContain('ended:exam-over:The exam window has closed.');
      expect(sender.state).toBe('uploading');
      expect(sender.uploadingOnly).toBe(true);
      expect(sockets[0]!.closedWith).toEqual([1000, 'stream ended by the server']);
      scheduler.advance(500);
      expect(sockets).toHaveLength(2);
      last().open();
      expect(last().texts()[0]).toMatchObject({ type: 'hello', streamId: 'st-1', uploadOnly: true });
      welcome(2);
      expect(sender.state).toBe('uploading');
      expect(last().sequences()).toEqual([3, 4]);
      last().receive({ type: 'ack', sequence: 3 });
      expect(sender.state).toBe('uploading');
      last().receive({ type: 'ack', sequence: 4 });
      expect(sender.state).toBe('ended');
      expect(events.slice(-2)).toEqual(['state:ended', 'drained']);
      expect(last().closedWith).toEqual([1000, 'backlog uploaded']);
      scheduler.advance(60_000);
      expect(sockets).toHaveLength(2);
    });

    it('a capture hello refused with not-allowed (exam over) while a backlog waits: capture closes, upload-only follows', () => {
      const { sender, queue, sockets, last, welcome, scheduler, events } = setup();
      sender.start();
      last().open();
      welcome();
      queue.push(media(1));
      queue.push(media(2));
      sender.pump();
      last().serverClose(); // outage; meanwhile the exam ends
      scheduler.advance(500);
      last().open();
      last().receive({ type: 'error', code: 'not-allowed', message: 'the exam is over: capture is closed; reconnect with hello.uploadOnly', fatal: true });
      expect(events.some((e) => e.startsWith('capture-closed:the exam is over'))).toBe(true);
      last().serverClose(1008);
      expect(sender.state).toBe('uploading');
      scheduler.advance(1000);
      expect(sockets).toHaveLength(3);
      last().open();
      expect(last().texts()[0]).toMatchObject({ type: 'hello', streamId: 'st-1', uploadOnly: true });
      welcome(0);
      expect(last().sequences()).toEqual([1, 2]);
      last().receive({ type: 'ack', sequence: 2 });
      expect(sender.state).toBe('ended');
    });

    it('a capture hello refused with auth-failed (seat token expired at the exam end) while a backlog waits: one upload-only try', () => {
      const { sender, queue, sockets, last, welcome, scheduler, events, errors } = setup();
      sender.start();
      last().open();
      welcome();
      queue.push(media(1));
      sender.pump();
      last().serverClose();
      scheduler.advance(500);
      last().open();
      last().receive({ type: 'error', code: 'auth-failed', message: 'this seat token expired when the exam window ended', fatal: true });
      expect(events.some((e) => e.startsWith('capture-closed:'))).toBe(true);
      last().serverClose(1008);
      scheduler.advance(1000);
      expect(sockets).toHaveLength(3);
      last().open();
      expect(last().texts()[0]).toMatchObject({ type: 'hello', streamId: 'st-1', uploadOnly: true });
      last().receive({ type: 'error', code: 'auth-failed', message: 'the upload grace period is over', fatal: true });
      expect(sender.state).toBe('failed');
      expect(errors.at(-1)).toEqual([expect.stringContaining('(1 queued messages could not be uploaded)'), true, 'auth-failed']);
    });

    it('auth-failed with nothing queued is final at once (no upload-only try)', () => {
      const { sender, last, events } = setup();
      sender.start();
      last().open();
      last().receive({ type: 'error', code: 'auth-failed', message: 'revoked', fatal: true });
      expect(sender.state).toBe('failed');
      expect(events.some((e) => e.startsWith('capture-closed:'))).toBe(false);
    });

    it('an upload-only hello refused is final: state failed, the count of messages left in the error', () => {
      const { sender, queue, last, welcome, sockets, scheduler, errors } = setup();
      sender.start();
      last().open();
      welcome();
      queue.push(media(1));
      last().receive({ type: 'stop', reason: 'admin', message: 'Ended by an administrator.' });
      scheduler.advance(500);
      last().open();
      last().receive({ type: 'error', code: 'not-allowed', message: 'the upload grace period is over', fatal: true });
      expect(sender.state).toBe('failed');
      expect(errors.at(-1)).toEqual([expect.stringContaining('(1 queued messages could not be uploaded)'), true, 'not-allowed']);
      scheduler.advance(60_000);
      expect(sockets).toHaveLength(2);
    });

    it('drain() with an empty queue ends at once; with a welcomed socket it drains on it', () => {
      const a = setup();
      a.sender.start();
      a.last().open();
      a.welcome();
      a.sender.drain();
      expect(a.sender.state).toBe('ended');
      expect(a.events.at(-1)).toBe('drained');

      const b = setup();
      b.sender.start();
      b.last().open();
      b.welcome();
      b.queue.push(media(1));
      b.sender.pump();
      b.sender.drain();
      expect(b.sender.state).toBe('uploading');
      expect(b.sockets).toHaveLength(1);
      b.last().receive({ type: 'ack', sequence: 1 });
      expect(b.sender.state).toBe('ended');
    });

    it('stop(1001) closes as "going away" (the page unloads; the stream stays resumable)', () => {
      const { sender, last } = setup();
      sender.start();
      last().open();
      sender.stop(1001);
      expect(last().closedWith).toEqual([1001, 'page going away']);
    });

    it('reports when the last welcome arrived', () => {
      const { sender, last, welcome, scheduler } = setup();
      expect(sender.lastWelcomeAtMs).toBeNull();
      sender.start();
      scheduler.advance(120);
      last().open();
      welcome();
      expect(sender.lastWelcomeAtMs).toBe(120);
    });
  });
});
