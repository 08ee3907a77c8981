// Property tests (fast-check) of the wire protocol's decoders: media header round trips,
// and the decoders' contract on any input: a valid message or a typed ProtocolError, never
// another exception. The long coverage-guided campaign is fuzz/ (Jazzer.js).
import fc from 'fast-check';
import { MAX_CHANNEL, MAX_MEDIA_MESSAGE_BYTES, MAX_SEQUENCE } from './constants';
import {
  type ControlMessage,
  encodeControl,
  parseProctorMessage,
  parseSentinelMessage,
  parseServerToProctor,
  parseServerToSentinel,
} from './control';
import { ProtocolError } from './errors';
import { MEDIA_HEADER_BYTES, MediaFlags, MediaKind, decodeMediaMessage, encodeMediaMessage, readMediaHeader, type MediaDirection } from './media';

/** Runs `fn`; returns its result or the ProtocolError's code. Any other exception fails the property. */
function outcome<T>(fn: () => T): T | string {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ProtocolError) return e.code;
    throw e;
  }
}

const PARSERS: ((text: string) => ControlMessage)[] = [parseSentinelMessage, parseServerToSentinel, parseProctorMessage, parseServerToProctor];

/** Parses `text` with every parser; what parses must re-encode and parse back unchanged. */
function checkText(text: string): number {
  let accepted = 0;
  for (const parse of PARSERS) {
    const r = outcome(() => parse(text));
    if (typeof r === 'string') continue;
    accepted++;
    expect(parse(encodeControl(r))).toEqual(r);
  }
  return accepted;
}

const header = fc
  .record({
    kind: fc.constantFrom(MediaKind.InitSegment, MediaKind.Fragment),
    join: fc.boolean(),
    replay: fc.boolean(),
    channel: fc.integer({ min: 0, max: MAX_CHANNEL }),
    sequence: fc.integer({ min: 1, max: MAX_SEQUENCE }),
  })
  .map(({ kind, join, replay, channel, sequence }) => ({
    kind,
    flags: (kind === MediaKind.Fragment && join ? MediaFlags.Join : 0) | (replay ? MediaFlags.Replay : 0),
    channel,
    sequence,
  }));

describe('media messages', () => {
  it('encodeMediaMessage -> decodeMediaMessage round trip; the payload is a view, not a copy', () => {
    fc.assert(
      fc.property(header, fc.uint8Array({ minLength: 1, maxLength: 512 }), (h, payload) => {
        const bytes = encodeMediaMessage(h, payload);
        expect(bytes.length).toBe(MEDIA_HEADER_BYTES + payload.length);
        const m = decodeMediaMessage(bytes);
        expect(m.header).toEqual(h);
        expect(m.payload).toEqual(payload);
        expect(m.payload.buffer).toBe(bytes.buffer);
      }),
      { numRuns: 1000 },
    );
  });

  it('any bytes, any direction: a message that re-encodes to the same bytes, or a ProtocolError', () => {
    const directions: (MediaDirection | undefined)[] = [undefined, 'sentinel-to-server', 'server-to-proctor'];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(...directions), (bytes, direction) => {
        // Bias towards plausible headers: version byte 1 half of the time.
        const data = bytes.slice();
        if (data.length > 1 && data[0] % 2 === 0) data[1] = 1;
        const m = outcome(() => decodeMediaMessage(data, { direction }));
        outcome(() => readMediaHeader(data, { direction }));
        if (typeof m !== 'string') expect(encodeMediaMessage(m.header, m.payload)).toEqual(data);
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses a message over MAX_MEDIA_MESSAGE_BYTES before reading its header', () => {
    const big = new Uint8Array(MAX_MEDIA_MESSAGE_BYTES + 1);
    expect(outcome(() => decodeMediaMessage(big))).toBe('bad-message');
  });
});

// One valid example per message type (as in control.spec.ts), to mutate.
const VALID: Record<string, unknown>[] = [
  { type: 'hello', protocol: 1, token: 't', examId: 'e-1', seatId: 'A:12', encoder: 'webcodecs', userAgent: 'UA', capabilities: { encoders: ['webcodecs'] } },
  { type: 'status', fps: 1, width: 1280, height: 720, encoder: 'webcodecs', queueDepth: 3, queueBytes: 12_000, bytesSent: 9e12, keyframes: 0 },
  { type: 'gap', fromMs: 1_790_000_000_000, toMs: 1_790_000_005_000, reason: 'network' },
  { type: 'welcome', protocol: 1, streamId: 's-1', lastAckedSequence: 0, fps: 1 },
  { type: 'ack', sequence: 2 },
  { type: 'keyframe', reason: 'viewer-join' },
  { type: 'set-fps', fps: 5, reason: 'load' },
  { type: 'stop', reason: 'exam-over', message: 'over' },
  { type: 'error', code: 'sequence-gap', message: 'expected 8, got 10', fatal: true },
  { type: 'subscribe', streamId: 's-1' },
  { type: 'unsubscribe', channel: 4 },
  { type: 'subscribed', streamId: 's-1', channel: 1, codec: 'avc1.42C01F', width: 1280, height: 720 },
  { type: 'unsubscribed', channel: 1, reason: 'too-slow' },
  { type: 'streams', streams: [] },
];

const mutatedMessage = fc
  .record({
    base: fc.constantFrom(...VALID),
    edits: fc.array(
      fc.record({ field: fc.nat(), op: fc.constantFrom('replace', 'delete', 'add'), value: fc.jsonValue({ maxDepth: 2 }), name: fc.string({ maxLength: 12 }) }),
      { maxLength: 3 },
    ),
  })
  .map(({ base, edits }) => {
    const m: Record<string, unknown> = { ...base };
    for (const e of edits) {
      const keys = Object.keys(m);
      const key = keys[e.field % keys.length];
      if (e.op === 'replace') m[key] = e.value;
      else if (e.op === 'delete') delete m[key];
      else m[e.name] = e.value;
    }
    return m;
  });

describe('control messages', () => {
  it('every valid example is accepted (by one parser; error by both server parsers) and round-trips', () => {
    for (const m of VALID) expect(checkText(JSON.stringify(m))).toBe(m['type'] === 'error' ? 2 : 1);
  });

  it('mutated valid messages: a valid message (round-trips) or a ProtocolError', () => {
    let accepted = 0;
    fc.assert(
      fc.property(mutatedMessage, (m) => {
        accepted += checkText(JSON.stringify(m));
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(100); // the unmutated and harmlessly mutated ones
  });

  it('any JSON and any string: a valid message or a ProtocolError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
        checkText(text);
      }),
      { numRuns: 3000 },
    );
  });
});
