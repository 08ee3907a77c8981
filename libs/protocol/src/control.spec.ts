import { MAX_SERVER_TEXT_MESSAGE_BYTES, MAX_TEXT_MESSAGE_BYTES } from './constants';
import {
  ControlMessage,
  encodeAck,
  encodeControl,
  errorMessage,
  HelloMessage,
  parseProctorMessage,
  parseSentinelMessage,
  parseServerToProctor,
  parseServerToSentinel,
  StreamSummary,
} from './control';
import { ProtocolError } from './errors';

const hello: HelloMessage = {
  type: 'hello',
  protocol: 1,
  token: 'seat-token_9f8e7d',
  examId: 'exam-2026-math',
  seatId: 'A:12',
  encoder: 'webcodecs',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0',
  capabilities: { encoders: ['webcodecs', 'openh264-wasm'] },
};

const summary: StreamSummary = {
  streamId: 's-1',
  examId: 'exam-2026-math',
  seatId: 'A:12',
  state: 'live',
  encoder: 'webcodecs',
  codec: 'avc1.42C01F',
  width: 1280,
  height: 720,
  fps: 1,
  startedAtMs: 1_790_000_000_000,
  lastFragmentAtMs: 1_790_000_012_345.5,
  bytesReceived: 123_456,
  bitrateBps: 480_000,
  viewers: 2,
};

/** One valid example of every message, with the parser of its direction. */
const VALID: Array<[string, ControlMessage, (text: string) => ControlMessage]> = [
  ['hello (new stream)', hello, parseSentinelMessage],
  ['hello (resume)', { ...hello, streamId: 's-1', encoder: 'openh264-wasm' }, parseSentinelMessage],
  [
    'status',
    { type: 'status', fps: 0.2, width: 0, height: 0, encoder: 'webcodecs', queueDepth: 3, queueBytes: 12_000, bytesSent: 9e12, keyframes: 0 },
    parseSentinelMessage,
  ],
  ['event (no detail)', { type: 'event', page: 'p-Ab_9', seq: 1, kind: 'reload', atMs: 1_790_000_000_000 }, parseSentinelMessage],
  [
    'event (screen-blank start)',
    { type: 'event', page: 'p1', seq: 7, kind: 'screen-blank', atMs: 1_790_000_000_000.5, detail: { state: 'start', heldMs: 2000, luma: 3.5 } },
    parseSentinelMessage,
  ],
  ['event (screen-size-changed)', { type: 'event', page: 'p1', seq: 8, kind: 'screen-size-changed', atMs: 1, detail: { width: 5120, height: 2880 } }, parseSentinelMessage],
  ['event (encoder-fallback)', { type: 'event', page: 'p1', seq: 9, kind: 'encoder-fallback', atMs: 1, detail: { encoder: 'openh264-wasm', reason: 'no VideoEncoder' } }, parseSentinelMessage],
  ['event-ack', { type: 'event-ack', seq: 9 }, parseServerToSentinel],
  ['welcome', { type: 'welcome', protocol: 1, streamId: 's-1', lastAckedSequence: 0, fps: 1 }, parseServerToSentinel],
  ['welcome (reconnect spread)', { type: 'welcome', protocol: 1, streamId: 's-1', lastAckedSequence: 0, fps: 1, reconnectSpreadMs: 600_000 }, parseServerToSentinel],
  ['ack', { type: 'ack', sequence: 2 ** 53 - 1 }, parseServerToSentinel],
  ['keyframe', { type: 'keyframe', reason: 'viewer-join' }, parseServerToSentinel],
  ['set-fps', { type: 'set-fps', fps: 5, reason: 'load' }, parseServerToSentinel],
  ['stop', { type: 'stop', reason: 'exam-over', message: 'The exam window ended at 12:00; recording has stopped.' }, parseServerToSentinel],
  ['error (to Sentinel)', { type: 'error', code: 'sequence-gap', message: 'expected 8, got 10', fatal: true }, parseServerToSentinel],
  ['subscribe', { type: 'subscribe', streamId: 's-1' }, parseProctorMessage],
  ['unsubscribe', { type: 'unsubscribe', channel: 4_294_967_295 }, parseProctorMessage],
  ['streams', { type: 'streams', streams: [summary, { ...summary, streamId: 's-2', codec: null, lastFragmentAtMs: null, state: 'ended' }] }, parseServerToProctor],
  ['streams (empty)', { type: 'streams', streams: [] }, parseServerToProctor],
  ['subscribed', { type: 'subscribed', streamId: 's-1', channel: 1, codec: 'avc1.42C01F', width: 1280, height: 720 }, parseServerToProctor],
  ['subscribed (no init segment yet)', { type: 'subscribed', streamId: 's-1', channel: 2, codec: null, width: 0, height: 0 }, parseServerToProctor],
  ['unsubscribed', { type: 'unsubscribed', channel: 1, reason: 'too-slow' }, parseServerToProctor],
  ['error (to Proctor)', { type: 'error', code: 'unknown-stream', message: 'no stream "x"', fatal: false }, parseServerToProctor],
];

function parseError(parse: (text: string) => unknown, text: string): ProtocolError {
  try {
    parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return err as ProtocolError;
  }
  throw new Error(`expected ${text.slice(0, 80)} to be refused`);
}

describe('round trips', () => {
  it.each(VALID)('%s', (_name, message, parse) => {
    const text = encodeControl(message);
    expect(typeof text).toBe('string');
    expect(parse(text)).toEqual(message);
  });

  it('encodeControl writes plain JSON and leaves out undefined optional fields', () => {
    const text = encodeControl({ ...hello, streamId: undefined });
    expect(JSON.parse(text)).toEqual(hello);
    expect(text).not.toContain('streamId');
    expect(encodeControl({ type: 'ack', sequence: 7 })).toBe('{"type":"ack","sequence":7}');
  });

  it('accepts an empty seat token (no token: the server refuses it with auth-required, not bad-message)', () => {
    expect(parseSentinelMessage(JSON.stringify({ ...hello, token: '' }))).toMatchObject({ type: 'hello', token: '' });
  });

  it('parsers accept whitespace and any key order', () => {
    expect(parseProctorMessage(' { "streamId" : "s-1", "type": "subscribe" }\n')).toEqual({ type: 'subscribe', streamId: 's-1' });
  });
});

describe('each parser accepts only its own direction', () => {
  it.each([
    [parseSentinelMessage, '{"type":"ack","sequence":1}', 'Sentinel -> server', '"hello", "status", "gap", "event"'],
    [parseServerToSentinel, '{"type":"hello"}', 'server -> Sentinel', '"welcome", "ack", "event-ack", "keyframe", "set-fps", "stop", "error"'],
    [parseProctorMessage, '{"type":"streams","streams":[]}', 'Proctor -> server', '"subscribe", "unsubscribe"'],
    [parseServerToProctor, '{"type":"subscribe","streamId":"s"}', 'server -> Proctor', '"streams", "subscribed", "unsubscribed", "error"'],
  ])('%#', (parse, text, direction, allowed) => {
    const err = parseError(parse, text);
    expect(err.code).toBe('bad-message');
    expect(err.message).toContain(`unknown control message type`);
    expect(err.message).toContain(`for ${direction}; expected one of ${allowed}`);
  });
});

describe('malformed JSON control messages', () => {
  const status = { type: 'status', fps: 1, width: 1280, height: 720, encoder: 'webcodecs', queueDepth: 0, queueBytes: 0, bytesSent: 0, keyframes: 1 };
  const json = (value: unknown) => JSON.stringify(value);

  it.each([
    // [case, parser, text, expected message fragment]
    ['not JSON', parseSentinelMessage, '{"type":"hello"', 'control message is not valid JSON'],
    ['not JSON (empty)', parseProctorMessage, '', 'control message is not valid JSON'],
    ['not JSON (binary garbage)', parseProctorMessage, '\u0000\u0001', 'control message is not valid JSON'],
    ['not an object: array', parseSentinelMessage, '[1,2]', 'must be a JSON object with a "type" field, got an array'],
    ['not an object: null', parseSentinelMessage, 'null', 'must be a JSON object with a "type" field, got null'],
    ['not an object: string', parseServerToProctor, '"hello"', 'must be a JSON object with a "type" field, got "hello"'],
    ['not an object: number', parseServerToSentinel, '42', 'got 42'],
    ['no type', parseSentinelMessage, '{"fps":1}', 'must have a string "type" field, got nothing'],
    ['type not a string', parseSentinelMessage, '{"type":7}', 'must have a string "type" field, got 7'],
    ['unknown type', parseSentinelMessage, '{"type":"goodbye"}', 'unknown control message type "goodbye"'],
    ['unknown type "__proto__"', parseSentinelMessage, '{"type":"__proto__"}', 'unknown control message type "__proto__"'],
    ['missing field', parseSentinelMessage, json({ ...hello, token: undefined }), 'hello.token is required'],
    ['missing nested field', parseSentinelMessage, json({ ...hello, capabilities: {} }), 'hello.capabilities.encoders is required'],
    ['missing enum field', parseServerToSentinel, '{"type":"keyframe"}', 'keyframe.reason is required and must be "viewer-join", "admin" or "recovery"'],
    ['extra field', parseSentinelMessage, json({ ...status, cpu: 3 }), 'status has unknown field "cpu": remove it'],
    ['extra fields', parseProctorMessage, json({ type: 'subscribe', streamId: 's', a: 1, b: 2 }), 'subscribe has unknown fields "a", "b"'],
    ['extra nested field', parseServerToProctor, json({ type: 'streams', streams: [{ ...summary, secret: 1 }] }), 'streams.streams[0] has unknown field "secret"'],
    ['wrong type: string for number', parseSentinelMessage, json({ ...status, fps: '1' }), 'status.fps must be between 0.2 and 5 (frames per second), got "1"'],
    ['wrong type: number for string', parseProctorMessage, json({ type: 'subscribe', streamId: 5 }), 'subscribe.streamId must be a string'],
    ['wrong type: object expected', parseSentinelMessage, json({ ...hello, capabilities: [] }), 'hello.capabilities must be an object, got an array'],
    ['wrong type: array expected', parseServerToProctor, json({ type: 'streams', streams: {} }), 'streams.streams must be an array, got an object'],
    ['wrong type: boolean', parseServerToProctor, json({ type: 'error', code: 'internal', message: 'x', fatal: 'yes' }), 'error.fatal must be true or false, got "yes"'],
    ['not an integer', parseProctorMessage, json({ type: 'unsubscribe', channel: 1.5 }), 'unsubscribe.channel must be an integer between 1 and 4294967295 (a channel), got 1.5'],
    ['integer out of range', parseProctorMessage, json({ type: 'unsubscribe', channel: 0 }), 'unsubscribe.channel must be an integer between 1 and 4294967295'],
    ['negative count', parseSentinelMessage, json({ ...status, queueDepth: -1 }), 'status.queueDepth must be an integer between 0 and 2^53-1'],
    ['reconnect spread too long', parseServerToSentinel, json({ type: 'welcome', protocol: 1, streamId: 's', lastAckedSequence: 0, fps: 1, reconnectSpreadMs: 600_001 }), 'welcome.reconnectSpreadMs must be an integer between 0 and 600000'],
    ['sequence 0', parseServerToSentinel, json({ type: 'ack', sequence: 0 }), 'ack.sequence must be an integer between 1 and 2^53-1'],
    ['sequence > 2^53-1', parseServerToSentinel, '{"type":"ack","sequence":9007199254740993}', 'ack.sequence must be an integer between 1 and 2^53-1'],
    ['fps too high', parseServerToSentinel, json({ type: 'set-fps', fps: 6, reason: 'admin' }), 'set-fps.fps must be between 0.2 and 5'],
    ['fps too low', parseServerToSentinel, json({ type: 'set-fps', fps: 0.1, reason: 'admin' }), 'set-fps.fps must be between 0.2 and 5'],
    ['fps zero', parseSentinelMessage, json({ ...status, fps: 0 }), 'status.fps must be between 0.2 and 5'],
    ['fps in a summary', parseServerToProctor, json({ type: 'streams', streams: [{ ...summary, fps: 30 }] }), 'streams.streams[0].fps must be between 0.2 and 5'],
    ['stop without a message', parseServerToSentinel, json({ type: 'stop', reason: 'admin' }), 'stop.message is required'],
    ['stop with an empty message', parseServerToSentinel, json({ type: 'stop', reason: 'admin', message: '' }), 'stop.message must be a string of 1 to'],
    ['stop with an unknown reason', parseServerToSentinel, json({ type: 'stop', reason: 'bored', message: 'x' }), 'stop.reason must be "admin", "exam-over", "seat-revoked", "seat-deleted" or "exam-deleted", got "bored"'],
    ['stop sent by a Sentinel', parseSentinelMessage, json({ type: 'stop', reason: 'admin', message: 'x' }), 'unknown control message type "stop"'],
    ['bad enum value', parseServerToSentinel, json({ type: 'set-fps', fps: 1, reason: 'whim' }), 'set-fps.reason must be "admin", "load" or "demand", got "whim"'],
    ['bad encoder', parseSentinelMessage, json({ ...hello, encoder: 'x264' }), 'hello.encoder must be "webcodecs" or "openh264-wasm", got "x264"'],
    ['bad error code', parseServerToProctor, json({ type: 'error', code: 'oops', message: 'x', fatal: true }), 'error.code must be one of "bad-message"'],
    ['bad id characters', parseProctorMessage, json({ type: 'subscribe', streamId: '../etc/passwd' }), 'subscribe.streamId must be 1 to 128 characters of A-Z a-z 0-9 . _ : -, got "../etc/passwd"'],
    ['empty id', parseProctorMessage, json({ type: 'subscribe', streamId: '' }), 'subscribe.streamId must be 1 to 128 characters'],
    ['id too long', parseProctorMessage, json({ type: 'subscribe', streamId: 'a'.repeat(129) }), 'subscribe.streamId must be 1 to 128 characters'],
    ['token with spaces', parseSentinelMessage, json({ ...hello, token: 'a b' }), 'hello.token must be a string of 0 to 1024 visible ASCII characters'],
    ['width too large', parseSentinelMessage, json({ ...status, width: 10_000 }), 'status.width must be an integer between 0 and 4096'],
    ['too many encoders', parseSentinelMessage, json({ ...hello, capabilities: { encoders: Array(17).fill('x') } }), 'hello.capabilities.encoders must be a list of at most 16 encoder names'],
    ['bad array element', parseSentinelMessage, json({ ...hello, capabilities: { encoders: ['webcodecs', 3] } }), 'hello.capabilities.encoders[1] must be a string of 1 to 64 characters'],
    ['hello.protocol not a number', parseSentinelMessage, json({ ...hello, protocol: '1' }), 'hello.protocol must be 1, got "1"'],
    ['negative timestamp', parseServerToProctor, json({ type: 'streams', streams: [{ ...summary, startedAtMs: -5 }] }), 'streams.streams[0].startedAtMs must be a number of milliseconds since the Unix epoch'],
    ['event: unknown kind', parseSentinelMessage, json({ type: 'event', page: 'p', seq: 1, kind: 'coffee-break', atMs: 1 }), 'event.kind must be one of "capture-started"'],
    ['event: seq 0', parseSentinelMessage, json({ type: 'event', page: 'p', seq: 0, kind: 'online', atMs: 1 }), 'event.seq must be an integer between 1 and 2^53-1'],
    ['event: bad page id', parseSentinelMessage, json({ type: 'event', page: 'a/b', seq: 1, kind: 'online', atMs: 1 }), 'event.page must be a string of 1 to 32 characters'],
    ['event: page id too long', parseSentinelMessage, json({ type: 'event', page: 'p'.repeat(33), seq: 1, kind: 'online', atMs: 1 }), 'event.page must be a string of 1 to 32'],
    ['event: unknown detail field', parseSentinelMessage, json({ type: 'event', page: 'p', seq: 1, kind: 'online', atMs: 1, detail: { html: '<b>' } }), 'event.detail has unknown field "html"'],
    ['event: reason too long', parseSentinelMessage, json({ type: 'event', page: 'p', seq: 1, kind: 'capture-ended', atMs: 1, detail: { reason: 'r'.repeat(201) } }), 'event.detail.reason must be a string of 0 to 200 characters'],
    ['event: detail required by kind', parseSentinelMessage, json({ type: 'event', page: 'p', seq: 1, kind: 'screen-blank', atMs: 1 }), 'event.detail.state is required and comes with every "screen-blank" event'],
    ['event: size required', parseSentinelMessage, json({ type: 'event', page: 'p', seq: 1, kind: 'screen-size-changed', atMs: 1, detail: { width: 10 } }), 'event.detail.height is required and comes with every "screen-size-changed" event'],
    ['event: huge screen', parseSentinelMessage, json({ type: 'event', page: 'p', seq: 1, kind: 'screen-size-changed', atMs: 1, detail: { width: 1e9, height: 1 } }), 'event.detail.width must be an integer between 1 and 32768'],
    ['event: bad state', parseSentinelMessage, json({ type: 'event', page: 'p', seq: 1, kind: 'screen-frozen', atMs: 1, detail: { state: 'maybe' } }), 'event.detail.state must be "start" or "end", got "maybe"'],
    ['event: no time', parseSentinelMessage, json({ type: 'event', page: 'p', seq: 1, kind: 'online' }), 'event.atMs is required'],
    ['event-ack sent by a Sentinel', parseSentinelMessage, json({ type: 'event-ack', seq: 1 }), 'unknown control message type "event-ack"'],
    ['codec with a quote', parseServerToProctor, json({ type: 'subscribed', streamId: 's', channel: 1, codec: 'avc1"', width: 0, height: 0 }), 'subscribed.codec must be an RFC 6381 codec string'],
  ] as const)('%s', (_name, parse, text, expected) => {
    const err = parseError(parse, text);
    expect(err.code).toBe('bad-message');
    expect(err.fatal).toBe(true);
    expect(err.message).toContain(expected);
  });

  it('counts further problems', () => {
    const err = parseError(parseSentinelMessage, json({ ...status, fps: 9, width: -1, extra: 1 }));
    expect(err.message).toBe('status.fps must be between 0.2 and 5 (frames per second), got 9 (and 2 more problems: status.width, status)');
  });

  it('never echoes more than 40 characters of the input', () => {
    const err = parseError(parseProctorMessage, json({ type: 'subscribe', streamId: 'x'.repeat(200) }));
    expect(err.message).not.toContain('x'.repeat(41));
  });

  it.each([
    ['hello', parseSentinelMessage, json({ ...hello, protocol: 2 }), 'hello.protocol: protocol version 2 is not supported'],
    ['welcome', parseServerToSentinel, json({ type: 'welcome', protocol: 0, streamId: 's', lastAckedSequence: 0, fps: 1 }), 'welcome.protocol: protocol version 0'],
  ] as const)('%s with another protocol version is unsupported-version', (_name, parse, text, expected) => {
    const err = parseError(parse, text);
    expect(err.code).toBe('unsupported-version');
    expect(err.message).toContain(expected);
  });

  describe('too long', () => {
    it('client messages over MAX_TEXT_MESSAGE_BYTES', () => {
      const text = json({ ...hello, userAgent: 'u'.repeat(MAX_TEXT_MESSAGE_BYTES) });
      const err = parseError(parseSentinelMessage, text);
      expect(err.code).toBe('bad-message');
      expect(err.closeCode).toBe(1009);
      expect(err.message).toContain(`control message is ${text.length} bytes, over the limit of ${MAX_TEXT_MESSAGE_BYTES} bytes`);
    });

    it('counts UTF-8 bytes, not characters', () => {
      // 6000 x U+20AC (3 bytes each in UTF-8) = 18000 bytes in 6000 characters
      const text = `{"type":"subscribe","streamId":"${'\u20ac'.repeat(6000)}"}`;
      expect(text.length).toBeLessThan(MAX_TEXT_MESSAGE_BYTES);
      expect(parseError(parseProctorMessage, text).message).toContain('over the limit of 16384 bytes');
    });

    it('server messages may be larger, up to MAX_SERVER_TEXT_MESSAGE_BYTES', () => {
      const streams = Array.from({ length: 100 }, (_, i) => ({ ...summary, streamId: `s-${i}` }));
      const text = json({ type: 'streams', streams });
      expect(text.length).toBeGreaterThan(MAX_TEXT_MESSAGE_BYTES);
      expect(parseServerToProctor(text)).toEqual({ type: 'streams', streams });
      const huge = ' '.repeat(MAX_SERVER_TEXT_MESSAGE_BYTES) + text;
      expect(parseError(parseServerToProctor, huge).message).toContain('over the limit');
    });
  });

  it('refuses a non-string (a binary frame handed to a text parser) with close code 1003', () => {
    const err = parseError(parseProctorMessage as (t: unknown) => unknown, new Uint8Array(3) as unknown as string);
    expect(err.code).toBe('bad-message');
    expect(err.closeCode).toBe(1003);
  });
});

describe('encodeControl refuses invalid messages with TypeError naming the field', () => {
  it.each([
    [{ type: 'set-fps', fps: 7, reason: 'admin' }, 'encodeControl: set-fps.fps must be between 0.2 and 5'],
    [{ type: 'ack', sequence: 0 }, 'ack.sequence must be an integer between 1 and 2^53-1'],
    [{ type: 'subscribe', streamId: 's', channel: 1 }, 'subscribe has unknown field "channel"'],
    [{ type: 'nope' }, 'encodeControl: message.type must be one of "hello"'],
  ])('%o', (message, expected) => {
    expect(() => encodeControl(message as unknown as ControlMessage)).toThrow(TypeError);
    expect(() => encodeControl(message as unknown as ControlMessage)).toThrow(expected);
  });

  it('client messages over the client limit', () => {
    const big = { ...hello, capabilities: { encoders: Array(16).fill('e'.repeat(64)) }, userAgent: 'u'.repeat(512) };
    expect(() => encodeControl(big)).not.toThrow(); // ~1.7 KB
    expect(MAX_TEXT_MESSAGE_BYTES).toBeGreaterThan(encodeControl(big).length);
  });
});

describe('encodeAck', () => {
  it.each([1, 7, 2 ** 31, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER])('writes exactly what encodeControl writes for %d, and it parses back', (sequence) => {
    expect(encodeAck(sequence)).toBe(encodeControl({ type: 'ack', sequence }));
    expect(parseServerToSentinel(encodeAck(sequence))).toEqual({ type: 'ack', sequence });
  });

  it.each([0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, NaN, Infinity, '7', null])('refuses %p with a TypeError, as encodeControl does', (sequence) => {
    expect(() => encodeAck(sequence as number)).toThrow(TypeError);
    expect(() => encodeAck(sequence as number)).toThrow(/^encodeAck: sequence must be an integer between 1 and 2\^53-1 \(a sequence number\), got /);
    expect(() => encodeControl({ type: 'ack', sequence } as unknown as ControlMessage)).toThrow(TypeError);
  });
});

describe('errorMessage', () => {
  it('builds an error message with the default fatal flag', () => {
    expect(errorMessage('unknown-stream', 'no stream "s-9"')).toEqual({
      type: 'error',
      code: 'unknown-stream',
      message: 'no stream "s-9"',
      fatal: false,
    });
    expect(errorMessage('unknown-stream', 'x', true).fatal).toBe(true);
    expect(parseServerToProctor(encodeControl(errorMessage('internal', 'boom')))).toEqual({
      type: 'error',
      code: 'internal',
      message: 'boom',
      fatal: true,
    });
  });
});
