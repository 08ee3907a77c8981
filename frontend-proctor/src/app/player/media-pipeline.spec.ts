import { Subject, from, lastValueFrom, toArray } from 'rxjs';
import type { ProctorMessage } from '@vigil/protocol';
import { fragment, initSegment, mediaMessage } from '../../testing/media-fixtures';
import {
  INITIAL_GATE_STATE,
  demuxChannel,
  gateMedia,
  gateStep,
  subscribeToStream,
  type ChannelEvent,
  type RawMediaMessage,
  type MediaEvent,
  type SocketMessage,
} from './media-pipeline';
import { decodeSocketData } from './socket-decode';

const subscribed = (channel: number, streamId = 's1') =>
  JSON.stringify({ type: 'subscribed', streamId, channel, codec: 'avc1.42C01F', width: 640, height: 360 });

function run<I, O>(inputs: I[], op: (s: import('rxjs').Observable<I>) => import('rxjs').Observable<O>): Promise<O[]> {
  return lastValueFrom(op(from(inputs)).pipe(toArray()));
}

function raw(kind: 'init' | 'fragment', bytes: Uint8Array, sequence: number, join = false): RawMediaMessage {
  return { kind, bytes, sequence, join, replay: false };
}

describe('decodeSocketData', () => {
  it('validates JSON text with @vigil/protocol', () => {
    const m = decodeSocketData(subscribed(3));
    expect(m).toEqual({ type: 'text', message: expect.objectContaining({ type: 'subscribed', channel: 3 }) });
  });

  it('splits binary messages into the 16-byte header and a payload view (no copy)', () => {
    const payload = fragment(0);
    const buf = mediaMessage('fragment', payload, { channel: 7, sequence: 42, join: true });
    const m = decodeSocketData(buf);
    if (m.type !== 'media') throw new Error(m.type);
    expect(m.header).toEqual({ kind: 2, flags: 1, channel: 7, sequence: 42 });
    expect(m.payload.buffer).toBe(buf);
    expect(m.payload.byteOffset).toBe(16);
    expect(Array.from(m.payload)).toEqual(Array.from(payload));
  });

  it('turns malformed input into an invalid message instead of throwing', () => {
    for (const bad of ['{', JSON.stringify({ type: 'nope' }), new ArrayBuffer(5)]) {
      const m = decodeSocketData(bad);
      expect(m).toEqual({ type: 'invalid', error: expect.objectContaining({ type: 'networkError', details: 'badMessage', fatal: false }) });
    }
  });

  it('rejects channel 0 from the server (server -> proctor direction rules)', () => {
    const m = decodeSocketData(mediaMessage('fragment', fragment(0), { channel: 0, sequence: 1 }));
    expect(m.type).toBe('invalid');
  });
});

describe('demuxChannel', () => {
  it('passes only the media of our subscription channel, after `subscribed`', async () => {
    const init = initSegment();
    const msgs: SocketMessage[] = [
      decodeSocketData(mediaMessage('init', init, { channel: 1, sequence: 1 })), // before subscribed: ignored
      decodeSocketData(JSON.stringify({ type: 'streams', streams: [] })), // not ours
      decodeSocketData(subscribed(2, 'other')), // another stream's subscription
      decodeSocketData(subscribed(1)),
      decodeSocketData(mediaMessage('init', init, { channel: 1, sequence: 1 })),
      decodeSocketData(mediaMessage('fragment', fragment(0), { channel: 2, sequence: 5, join: true })), // other channel
      decodeSocketData(mediaMessage('fragment', fragment(0), { channel: 1, sequence: 2, join: true, replay: true })),
      decodeSocketData(JSON.stringify({ type: 'unsubscribed', channel: 1, reason: 'stream-ended' })),
      decodeSocketData(mediaMessage('fragment', fragment(1), { channel: 1, sequence: 3 })), // after unsubscribed
    ];
    const out = await run(msgs, demuxChannel('s1'));
    expect(out.map((e) => [e.kind, 'sequence' in e ? e.sequence : null])).toEqual([
      ['subscribed', null],
      ['init', 1],
      ['fragment', 2],
      ['unsubscribed', null],
    ]);
    expect(out[2]).toMatchObject({ kind: 'fragment', join: true, replay: true });
  });

  it('forwards server errors and invalid messages as non-fatal error events', async () => {
    const out = await run(
      [decodeSocketData(JSON.stringify({ type: 'error', code: 'unknown-stream', message: 'no such stream', fatal: false })), decodeSocketData('x')],
      demuxChannel('s1'),
    );
    expect(out).toEqual([
      { kind: 'error', error: expect.objectContaining({ details: 'serverError', fatal: false, message: 'unknown-stream: no such stream' }) },
      { kind: 'error', error: expect.objectContaining({ details: 'badMessage', fatal: false }) },
    ]);
  });
});

describe('gateMedia', () => {
  const kinds = (out: MediaEvent[]) =>
    out.map((e) => (e.kind === 'dropped' ? `dropped:${e.sequence}:${e.reason}` : e.kind === 'error' ? `error:${e.error.details}` : `${e.kind}${'sequence' in e ? ':' + e.sequence : ''}`));

  it('parses segments: codec from the init segment, times and capture time from the fragment', async () => {
    const out = await run<ChannelEvent, MediaEvent>([raw('init', initSegment(), 1), raw('fragment', fragment(0), 2, true)], gateMedia());
    const [init, frag] = out;
    expect(init).toMatchObject({ kind: 'init', info: { codec: 'avc1.42C01F', width: 640, height: 360, timescale: 90000 } });
    expect(frag).toMatchObject({
      kind: 'fragment',
      join: true,
      info: { baseMediaDecodeTime: 0, duration: 18000, isSync: true, captureTimeMs: 1_700_000_000_000 },
    });
  });

  it('drops fragments before an init segment and until the first join fragment', async () => {
    const out = await run<ChannelEvent, MediaEvent>(
      [
        raw('fragment', fragment(3), 9),
        raw('init', initSegment(), 10),
        raw('fragment', fragment(4), 11), // not a join fragment
        raw('fragment', fragment(5, { isSync: true }), 12, true),
        raw('fragment', fragment(6), 13),
      ],
      gateMedia(),
    );
    expect(kinds(out)).toEqual(['dropped:9:no-init', 'init:10', 'dropped:11:waiting-for-join', 'fragment:12', 'fragment:13']);
  });

  it('takes a join fragment from the IDR flag in the fragment even without the JOIN header flag', () => {
    const [s1] = gateStep(INITIAL_GATE_STATE, raw('init', initSegment(), 1));
    const [, out] = gateStep(s1, raw('fragment', fragment(0, { isSync: true }), 7, false));
    expect(out[0]).toMatchObject({ kind: 'fragment', join: true });
  });

  it('reports a sequence gap and waits for the next join fragment', async () => {
    const out = await run<ChannelEvent, MediaEvent>(
      [
        raw('init', initSegment(), 1),
        raw('fragment', fragment(0), 2, true),
        raw('fragment', fragment(1), 3),
        raw('fragment', fragment(3), 5), // 4 is missing
        raw('fragment', fragment(4), 6),
        raw('fragment', fragment(5, { isSync: true }), 7, true),
        raw('fragment', fragment(6), 8),
      ],
      gateMedia(),
    );
    expect(kinds(out)).toEqual([
      'init:1',
      'fragment:2',
      'fragment:3',
      'error:sequenceGap',
      'dropped:5:waiting-for-join',
      'dropped:6:waiting-for-join',
      'fragment:7',
      'fragment:8',
    ]);
  });

  it('drops duplicates and unparseable fragments, and a broken init segment blocks until the next one', async () => {
    const broken = fragment(2).slice(0, 20);
    const out = await run<ChannelEvent, MediaEvent>(
      [
        raw('init', initSegment(), 1),
        raw('fragment', fragment(0), 2, true),
        raw('fragment', fragment(0), 2, true), // duplicate
        raw('fragment', broken, 3),
        raw('fragment', fragment(3), 4),
        raw('init', initSegment().slice(0, 30), 5),
        raw('fragment', fragment(4, { isSync: true }), 6, true),
        raw('init', initSegment(1280, 720), 7),
        raw('fragment', fragment(5, { isSync: true }), 8, true),
      ],
      gateMedia(),
    );
    expect(kinds(out)).toEqual([
      'init:1',
      'fragment:2',
      'dropped:2:duplicate',
      'error:fragParsingError',
      'dropped:3:unparseable',
      'dropped:4:waiting-for-join',
      'error:initParsingError',
      'dropped:6:no-init',
      'init:7',
      'fragment:8',
    ]);
  });

  it('starts over on a new `subscribed` (the server resends init + the latest join fragment)', async () => {
    const sub: ChannelEvent = { kind: 'subscribed', streamId: 's1', channel: 4, codec: null, width: 0, height: 0 };
    const out = await run<ChannelEvent, MediaEvent>(
      [raw('init', initSegment(), 1), raw('fragment', fragment(0), 2, true), raw('fragment', fragment(1), 3), sub, raw('init', initSegment(), 1), raw('fragment', fragment(0), 2, true)],
      gateMedia(),
    );
    expect(kinds(out)).toEqual(['init:1', 'fragment:2', 'fragment:3', 'subscribed', 'init:1', 'fragment:2']);
  });
});

describe('subscribeToStream', () => {
  function fakeTransport() {
    const messages$ = new Subject<SocketMessage>();
    const opened$ = new Subject<void>();
    const sent: ProctorMessage[] = [];
    return { messages$, opened$, sent, send: (m: ProctorMessage) => void sent.push(m) };
  }

  /** An early subscription's first messages on channel 5: `subscribed`, the init segment, a join fragment (3 events). */
  const earlyJoin = () => [
    decodeSocketData(subscribed(5)),
    decodeSocketData(mediaMessage('init', initSegment(), { channel: 5, sequence: 1 })),
    decodeSocketData(mediaMessage('fragment', fragment(0), { channel: 5, sequence: 2, join: true })),
  ];

  it('takes over an early subscription: its held messages first, no second subscribe until a reconnect', () => {
    const t = fakeTransport();
    const held = earlyJoin();
    const claimed: string[] = [];
    const transport = { ...t, claimEarly: (id: string) => (claimed.push(id), held) };
    const events: MediaEvent[] = [];
    const sub = subscribeToStream(transport, 's1').subscribe((e) => events.push(e));
    expect(claimed).toEqual(['s1']);
    expect(events.map((e) => e.kind)).toEqual(['subscribed', 'init', 'fragment']);
    t.opened$.next(); // the socket the early subscription was made on: no second subscribe
    expect(t.sent).toEqual([]);
    t.messages$.next(decodeSocketData(mediaMessage('fragment', fragment(1), { channel: 5, sequence: 3 })));
    expect(events.map((e) => e.kind)).toEqual(['subscribed', 'init', 'fragment', 'fragment']);
    t.opened$.next(); // a reconnect: subscribe as usual
    expect(t.sent).toEqual([{ type: 'subscribe', streamId: 's1' }]);
    t.messages$.next(decodeSocketData(subscribed(6)));
    sub.unsubscribe();
    expect(t.sent[1]).toEqual({ type: 'unsubscribe', channel: 6 });
  });

  it("resumes where the early player's pipeline stopped: no event twice, and its channel is unsubscribed on teardown", () => {
    const t = fakeTransport();
    // what the early player had (it passed on subscribed, init, fragment: 3 events)
    const replay = earlyJoin();
    // held by the connection after it took the socket over
    const held = [decodeSocketData(mediaMessage('fragment', fragment(1), { channel: 5, sequence: 3 }))];
    const transport = { ...t, claimEarly: () => held };
    const events: MediaEvent[] = [];
    const sub = subscribeToStream(transport, 's1', 'focus', { replay, delivered: 3 }).subscribe((e) => events.push(e));
    expect(events.map((e) => e.kind)).toEqual(['fragment']);
    expect((events[0] as Extract<MediaEvent, { kind: 'fragment' }>).sequence).toBe(3);
    t.messages$.next(decodeSocketData(mediaMessage('fragment', fragment(2), { channel: 5, sequence: 4 })));
    expect(events.map((e) => (e.kind === 'fragment' ? e.sequence : e.kind))).toEqual([3, 4]);
    t.opened$.next(); // the socket the early subscription was made on: no second subscribe
    expect(t.sent).toEqual([]);
    sub.unsubscribe();
    expect(t.sent).toEqual([{ type: 'unsubscribe', channel: 5 }]);
  });

  it('ignores a resume point when there is no early subscription to take over', () => {
    const t = fakeTransport();
    const transport = { ...t, claimEarly: () => null };
    const events: MediaEvent[] = [];
    subscribeToStream(transport, 's1', 'focus', { replay: [decodeSocketData(subscribed(5))], delivered: 1 }).subscribe((e) => events.push(e));
    t.opened$.next();
    expect(t.sent).toEqual([{ type: 'subscribe', streamId: 's1' }]);
    t.messages$.next(decodeSocketData(subscribed(7)));
    expect(events).toEqual([expect.objectContaining({ kind: 'subscribed', channel: 7 })]);
  });

  it('subscribes itself when there is nothing to take over, and tiles never take over', () => {
    const t = fakeTransport();
    const claimed: string[] = [];
    const transport = { ...t, claimEarly: (id: string) => (claimed.push(id), null) };
    subscribeToStream(transport, 's1').subscribe();
    subscribeToStream(transport, 's2', 'tile').subscribe();
    expect(claimed).toEqual(['s1']);
    t.opened$.next();
    expect(t.sent).toEqual([{ type: 'subscribe', streamId: 's1' }, { type: 'subscribe', streamId: 's2', view: 'tile' }]);
  });

  it('subscribes on every open, runs the pipeline, and unsubscribes its channel on teardown', () => {
    const t = fakeTransport();
    const events: MediaEvent[] = [];
    const sub = subscribeToStream(t, 's1').subscribe((e) => events.push(e));
    expect(t.sent).toEqual([]);
    t.opened$.next();
    expect(t.sent).toEqual([{ type: 'subscribe', streamId: 's1' }]);
    t.messages$.next(decodeSocketData(subscribed(9)));
    t.messages$.next(decodeSocketData(mediaMessage('init', initSegment(), { channel: 9, sequence: 1 })));
    t.messages$.next(decodeSocketData(mediaMessage('fragment', fragment(0), { channel: 9, sequence: 2, join: true })));
    expect(events.map((e) => e.kind)).toEqual(['subscribed', 'init', 'fragment']);

    t.opened$.next(); // reconnect: channels are per connection
    expect(t.sent[1]).toEqual({ type: 'subscribe', streamId: 's1' });
    t.messages$.next(decodeSocketData(subscribed(3)));

    sub.unsubscribe();
    expect(t.sent[2]).toEqual({ type: 'unsubscribe', channel: 3 });
  });

  it('subscribes a wall tile as a tile view (the server keeps the base frame rate for it)', () => {
    const t = fakeTransport();
    const sub = subscribeToStream(t, 's1', 'tile').subscribe();
    t.opened$.next();
    expect(t.sent).toEqual([{ type: 'subscribe', streamId: 's1', view: 'tile' }]);
    sub.unsubscribe();
  });

  it('does not send unsubscribe when no channel was granted', () => {
    const t = fakeTransport();
    const sub = subscribeToStream(t, 's1').subscribe();
    t.opened$.next();
    sub.unsubscribe();
    expect(t.sent).toEqual([{ type: 'subscribe', streamId: 's1' }]);
  });
});
