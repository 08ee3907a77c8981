import { Subject, config as rxConfig } from 'rxjs';
import { MAX_STREAMS_PER_LIST, decodeMediaMessage, encodeControl, parseServerToProctor, type ServerToProctorMessage } from '@vigil/protocol';
import { BufferBudget } from './buffer-budget';
import { LiveStream, type SentinelControlLink } from './live-stream';
import { ProctorLink, ProctorSession, ProctorSessionEvents, StreamDirectory } from './proctor-session';
import { streamMessages, toUnits } from '../testing/media-fixtures';
import { testRegistryOptions } from '../testing/registry-options';

/**
 * The proctor session against real LiveStreams fed real init segments and fragments; only
 * the socket is a recorder and the registry a plain directory (so it can hold what the real
 * registry refuses to, as a bug elsewhere would). Issue 8 finding 1: nothing the streams
 * or the registry do may throw out of the session (RxJS would rethrow it as an uncaught
 * exception and the process would exit with code 1).
 */
describe('ProctorSession isolation and bounds', () => {
  const budget = new BufferBudget(1 << 30);
  const noDisk = { write: async () => undefined, writeGap: async () => undefined };
  const sentinelControl: SentinelControlLink = { sendControl: () => undefined, replaced: () => undefined, resendFromAck: () => undefined };
  let unhandled: unknown[];
  const sessions: ProctorSession[] = [];

  beforeEach(() => {
    unhandled = [];
    rxConfig.onUnhandledError = (e) => unhandled.push(e); // where an error thrown in a subscriber ends up
  });
  afterEach(() => {
    for (const s of sessions.splice(0)) s.handleClose();
    rxConfig.onUnhandledError = null;
  });

  /** A real stream with an init segment and a few fragments (1280x720). */
  function liveStream(i: number, examId = 'exam-1'): LiveStream {
    const stream = new LiveStream(
      { streamId: `s-${i}`, examId, seatId: `seat-${i}`, encoder: 'webcodecs', userAgent: 'jest', startedAtMs: 1_764_000_000_000 + i },
      i + 1,
      testRegistryOptions(),
      noDisk,
      budget,
    );
    stream.attachSentinel(sentinelControl);
    return stream;
  }
  const feed = (stream: LiveStream) => {
    for (const u of toUnits(streamMessages(6, 5), stream.channel)) stream.ingest(u);
  };

  function directory(streams: LiveStream[]): StreamDirectory & { changed: Subject<void>; streams: LiveStream[] } {
    const changed = new Subject<void>();
    return { changed, streams, changed$: changed.asObservable(), get: (id) => streams.find((s) => s.streamId === id), list: () => [...streams] };
  }

  function proctorLink(options: { buffered?: () => number; brokenText?: () => boolean } = {}) {
    const texts: ServerToProctorMessage[] = [];
    const binaries: Uint8Array[] = [];
    const closes: { code: number; reason: string }[] = [];
    const link: ProctorLink = {
      sendText: (t) => {
        if (options.brokenText?.()) throw new Error('socket write failed (EPIPE)');
        texts.push(parseServerToProctor(t));
      },
      sendBinary: (d) => binaries.push(d),
      sendReplay: (u) => binaries.push(u.message),
      bufferedAmount: options.buffered ?? (() => 0),
      close: (code, reason) => closes.push({ code, reason }),
    };
    return { link, texts, binaries, closes };
  }

  function events() {
    const log: string[] = [];
    const hooks: ProctorSessionEvents = {
      fault: (why) => log.push(`fault: ${why}`),
      listTruncated: (shown, total) => log.push(`truncated: ${shown} of ${total}`),
      badSummaries: (ids, why) => log.push(`bad: ${ids.join(',')}: ${why.split('\n')[0]}`),
      tooSlow: (bytes) => log.push(`too slow: ${bytes}`),
    };
    return { log, hooks };
  }

  function open(p: ReturnType<typeof proctorLink>, dir: StreamDirectory, hooks: ProctorSessionEvents = {}, options = {}): ProctorSession {
    const s = new ProctorSession(p.link, dir, 1 << 20, Date.now, undefined, hooks, options);
    sessions.push(s);
    return s;
  }

  const lists = (texts: ServerToProctorMessage[]) => texts.flatMap((t) => (t.type === 'streams' ? [t.streams] : []));
  const afterListPush = () => new Promise((r) => setTimeout(r, 700)); // auditTime 500 ms

  it('a directory of 5001 streams: the list carries 5000 (live first, newest first), is reported, and nothing escapes', async () => {
    const dir = directory([]);
    const p = proctorLink();
    const e = events();
    open(p, dir, e.hooks);
    expect(lists(p.texts)).toEqual([[]]);
    for (let i = 0; i <= MAX_STREAMS_PER_LIST; i++) dir.streams.push(liveStream(i));
    dir.streams[1].detachSentinel(sentinelControl); // the second oldest is disconnected: it is the one left out
    dir.changed.next();
    await afterListPush();
    expect(unhandled).toEqual([]);
    const list = lists(p.texts).at(-1)!;
    expect(list).toHaveLength(MAX_STREAMS_PER_LIST);
    expect(list[0].streamId).toBe(`s-${MAX_STREAMS_PER_LIST}`); // newest live stream first
    expect(list.at(-1)!.streamId).toBe('s-0'); // oldest live stream last
    expect(list.some((s) => s.streamId === 's-1')).toBe(false); // disconnected: cut
    expect(e.log).toEqual([`truncated: ${MAX_STREAMS_PER_LIST} of ${MAX_STREAMS_PER_LIST + 1}`]);
    expect(p.closes).toEqual([]);
    // another change: the list goes out again, and the truncation is not logged again within a minute
    dir.changed.next();
    await afterListPush();
    expect(lists(p.texts)).toHaveLength(3);
    expect(e.log).toHaveLength(1);
  });

  it('a stream whose summary breaks the protocol (width 5000) is left out and reported; the list still goes out', async () => {
    const good = liveStream(1);
    feed(good);
    const bad = liveStream(2);
    feed(bad);
    const real = bad.summary.bind(bad);
    jest.spyOn(bad, 'summary').mockImplementation((now) => ({ ...real(now), width: 5000 }));
    const dir = directory([good]);
    const p = proctorLink();
    const e = events();
    const session = open(p, dir, e.hooks);
    dir.streams.push(bad);
    dir.changed.next();
    await afterListPush();
    expect(unhandled).toEqual([]);
    expect(lists(p.texts).map((l) => l.map((s) => s.streamId))).toEqual([['s-1'], ['s-1']]);
    expect(e.log).toEqual([expect.stringMatching(/^bad: s-2: .*width/)]);
    expect(p.closes).toEqual([]);
    // the connection still works: it can watch the good stream, with its real media
    session.handleText(encodeControl({ type: 'subscribe', streamId: 's-1' }));
    expect(p.texts.at(-1)).toMatchObject({ type: 'subscribed', streamId: 's-1', width: 1280, height: 720 });
    expect(p.binaries.map((b) => decodeMediaMessage(b).header.sequence)).toEqual([1, 7]); // init, the join fragment at frame 5
  });

  it('a message that cannot be encoded ends only that connection: error internal, close 1011, reported', () => {
    const stream = liveStream(1);
    feed(stream);
    const dir = directory([stream]);
    const broken = proctorLink();
    const other = proctorLink();
    const e = events();
    const bs = open(broken, dir, e.hooks);
    const os = open(other, dir);
    // a buffered init segment that declares 5000 px wide (as one did before the ingest check): `subscribed` cannot be encoded
    const init = stream.buffer.init!;
    const spy = jest.spyOn(stream.buffer, 'init', 'get').mockReturnValue({ ...init, width: 5000 });
    expect(() => bs.handleText(encodeControl({ type: 'subscribe', streamId: 's-1' }))).not.toThrow();
    spy.mockRestore();
    expect(broken.texts.at(-1)).toEqual({ type: 'error', code: 'internal', message: expect.stringMatching(/reconnect/), fatal: true });
    expect(broken.closes).toEqual([{ code: 1011, reason: 'internal' }]);
    expect(e.log).toEqual([expect.stringMatching(/^fault: could not send subscribed: .*width/s)]);
    expect(bs.isClosed).toBe(true);
    expect(stream.viewerCount).toBe(0); // no viewer left behind
    os.handleText(encodeControl({ type: 'subscribe', streamId: 's-1' }));
    expect(other.texts.at(-1)).toMatchObject({ type: 'subscribed', width: 1280 });
    expect(stream.viewerCount).toBe(1);
    // later frames reach the other viewer only; nothing is sent to the closed one
    const before = broken.binaries.length;
    stream.ingest(toUnits(streamMessages(7, 5), stream.channel)[7]);
    expect(broken.binaries).toHaveLength(before);
    expect(decodeMediaMessage(other.binaries.at(-1)!).header.sequence).toBe(8);
    expect(unhandled).toEqual([]);
  });

  it('a registry or a socket that throws ends only that connection; no error leaves the session or RxJS', async () => {
    const stream = liveStream(1);
    const throwing: StreamDirectory & { changed: Subject<void> } = {
      ...directory([stream]),
      list: () => {
        if (failing) throw new Error('registry bug');
        return [stream];
      },
    };
    let failing = false;
    const p = proctorLink();
    const e = events();
    const session = open(p, throwing, e.hooks);
    failing = true;
    throwing.changed.next();
    await afterListPush();
    expect(unhandled).toEqual([]);
    expect(p.closes).toEqual([{ code: 1011, reason: 'internal' }]);
    expect(e.log).toEqual(['fault: stream list: registry bug']);
    expect(session.isClosed).toBe(true);

    // a socket whose writes throw: the first send already; the constructor must not throw either
    const dead = proctorLink({ brokenText: () => true });
    const e2 = events();
    expect(() => open(dead, directory([stream]), e2.hooks)).not.toThrow();
    expect(dead.closes).toEqual([{ code: 1011, reason: 'internal' }]);
    expect(e2.log).toEqual([expect.stringMatching(/^fault: stream list: socket write failed/)]);
    // a throwing listener is ignored
    const angry = proctorLink({ brokenText: () => true });
    expect(() => open(angry, directory([stream]), { fault: () => { throw new Error('logger down'); } })).not.toThrow();
    expect(angry.closes).toHaveLength(1);
  });

  it('holds lists back while the socket is full and sends the newest once it drains; closes a stalled socket with server-busy', async () => {
    const dir = directory([liveStream(1)]);
    let buffered = 0;
    const p = proctorLink({ buffered: () => buffered });
    const e = events();
    open(p, dir, e.hooks, { checkIntervalMs: 20, slowCloseMs: 300 });
    expect(lists(p.texts)).toHaveLength(1);
    buffered = 2 << 20; // above the 1 MiB soft cap, below the 4 MiB hard cap
    for (let i = 2; i < 5; i++) {
      dir.streams.push(liveStream(i));
      dir.changed.next();
      await afterListPush();
    }
    expect(lists(p.texts)).toHaveLength(1); // held back: nothing piles up in the socket
    buffered = 0;
    await new Promise((r) => setTimeout(r, 100));
    expect(lists(p.texts).map((l) => l.length)).toEqual([1, 4]); // one list, the newest
    buffered = 5 << 20; // above the hard cap: stalled
    await new Promise((r) => setTimeout(r, 150));
    expect(p.closes).toEqual([]); // not yet: 300 ms allowed here (30 s on the server)
    await new Promise((r) => setTimeout(r, 400));
    expect(p.texts.at(-1)).toEqual({ type: 'error', code: 'server-busy', message: expect.stringMatching(/^too slow: 5242880 bytes waited unsent/), fatal: true });
    expect(p.closes).toEqual([{ code: 1013, reason: 'server-busy' }]);
    expect(e.log).toEqual(['too slow: 5242880']);
  });

  it('a socket that dips below the hard cap starts the stall clock again', async () => {
    let buffered = 5 << 20;
    const p = proctorLink({ buffered: () => buffered });
    open(p, directory([]), {}, { checkIntervalMs: 20, slowCloseMs: 300 });
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 100));
      buffered = buffered === 0 ? 5 << 20 : 0; // drains now and then: slow, but alive
    }
    expect(p.closes).toEqual([]);
  });

});
