import { closeCodeForError, closeReason, MAX_CLOSE_REASON_BYTES, WsCloseCode } from './close';
import { parseServerToSentinel } from './control';
import { describeValue, ERROR_CODES, ERROR_FATAL_DEFAULTS, ErrorCode, isErrorCode, ProtocolError } from './errors';
import { truncateUtf8, utf8ByteLength } from './utf8';

describe('ERROR_CODES', () => {
  it('lists the codes of docs/interfaces.md, each with a fatal default and a close code', () => {
    expect(ERROR_CODES).toEqual([
      'bad-message',
      'unsupported-version',
      'auth-required',
      'auth-failed',
      'bad-init-segment',
      'bad-fragment',
      'sequence-gap',
      'unknown-stream',
      'not-allowed',
      'server-busy',
      'internal',
    ]);
    expect(Object.keys(ERROR_FATAL_DEFAULTS).sort()).toEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) expect(closeCodeForError(code)).toBeGreaterThanOrEqual(1000);
  });

  it('isErrorCode', () => {
    expect(isErrorCode('sequence-gap')).toBe(true);
    expect(isErrorCode('nope')).toBe(false);
    expect(isErrorCode(3)).toBe(false);
  });
});

describe('ProtocolError', () => {
  it('is an Error with code, fatal and closeCode', () => {
    const err = new ProtocolError('not-allowed', 'exam e-1 is not assigned to you');
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.name).toBe('ProtocolError');
    expect(err.code).toBe('not-allowed');
    expect(err.fatal).toBe(false);
    expect(err.closeCode).toBe(WsCloseCode.PolicyViolation);
    expect(new ProtocolError('not-allowed', 'x', { fatal: true, closeCode: 4000 })).toMatchObject({ fatal: true, closeCode: 4000 });
    const cause = new Error('disk full');
    expect(new ProtocolError('internal', 'x', { cause }).cause).toBe(cause);
  });

  it.each([
    [ProtocolError.tooShort(3, 16), 'bad-message', 'media message is 3 bytes, shorter than the 16-byte header'],
    [ProtocolError.tooLarge(20, 10, 'control message'), 'bad-message', 'control message is 20 bytes, over the limit of 10 bytes'],
    [ProtocolError.unsupportedVersion(2), 'unsupported-version', 'media header byte 1: protocol version 2 is not supported'],
    [ProtocolError.unsupportedVersion(3, 'hello.protocol'), 'unsupported-version', 'hello.protocol: protocol version 3'],
    [ProtocolError.badMessage('something is off'), 'bad-message', 'something is off'],
    [ProtocolError.unknownKind(9), 'bad-message', 'kind (byte 0) is 9'],
    [ProtocolError.reservedFlags(0x0105, 3), 'bad-message', 'flags (bytes 2-3) are 0x0105; reserved bits 0x0104 must be 0'],
    [ProtocolError.badSequence('is 0'), 'bad-message', 'sequence number (bytes 8-15) is 0; it must be between 1 and 2^53-1'],
    [ProtocolError.badChannel('is 0'), 'bad-message', 'channel (bytes 4-7) is 0'],
    [ProtocolError.emptyPayload('fragment'), 'bad-message', 'media message (fragment) has no payload'],
    [ProtocolError.wrongFrameType('binary', 'send JSON'), 'bad-message', 'unexpected binary WebSocket message: send JSON'],
    [ProtocolError.notJson('Unexpected end'), 'bad-message', 'control message is not valid JSON (Unexpected end)'],
    [ProtocolError.unknownType('x', 'Proctor -> server', ['subscribe']), 'bad-message', 'unknown control message type "x" for Proctor -> server; expected one of "subscribe"'],
  ] as Array<[ProtocolError, ErrorCode, string]>)('%s', (err, code, text) => {
    expect(err.code).toBe(code);
    expect(err.fatal).toBe(true);
    expect(err.message).toContain(text);
  });

  it('close codes: 1009 for oversize, 1003 for the wrong frame type, 1002 for malformed', () => {
    expect(ProtocolError.tooLarge(2, 1, 'x').closeCode).toBe(1009);
    expect(ProtocolError.wrongFrameType('text', 'x').closeCode).toBe(1003);
    expect(ProtocolError.tooShort(0, 16).closeCode).toBe(1002);
    expect(new ProtocolError('server-busy', 'x').closeCode).toBe(1013);
    expect(new ProtocolError('internal', 'x').closeCode).toBe(1011);
  });

  it('converts to and from an error control message', () => {
    const msg = new ProtocolError('sequence-gap', 'expected sequence 8, got 10: reconnect and resend from lastAckedSequence + 1').toControl();
    expect(msg).toEqual({
      type: 'error',
      code: 'sequence-gap',
      message: 'expected sequence 8, got 10: reconnect and resend from lastAckedSequence + 1',
      fatal: true,
    });
    const back = ProtocolError.fromControl(parseServerToSentinel(JSON.stringify(msg)) as typeof msg);
    expect(back).toMatchObject({ code: 'sequence-gap', fatal: true, message: msg.message });
    expect(new ProtocolError('internal', 'x'.repeat(5000)).toControl().message).toHaveLength(1024);
  });

  it('describeValue keeps error messages short and safe', () => {
    expect(describeValue('a'.repeat(100))).toBe(`"${'a'.repeat(40)}…"`);
    expect(describeValue(1.5)).toBe('1.5');
    expect(describeValue(true)).toBe('true');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('nothing');
    expect(describeValue([])).toBe('an array');
    expect(describeValue({})).toBe('an object');
  });
});

describe('UTF-8 helpers', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['é', 2], // U+00E9
    ['€', 3], // U+20AC
    ['😀', 4], // U+1F600, a surrogate pair
    ['\ud800', 3], // lone surrogate -> U+FFFD
    ['a\udc00b', 5],
  ])('utf8ByteLength(%j) = %i', (text, bytes) => {
    expect(utf8ByteLength(text)).toBe(bytes);
    expect(Buffer.byteLength(text, 'utf8')).toBe(bytes); // cross-check with Node's encoder (test only)
  });

  it('truncateUtf8 cuts on code point boundaries', () => {
    expect(truncateUtf8('abc', 3)).toBe('abc');
    expect(truncateUtf8('abcd', 3)).toBe('abc');
    expect(truncateUtf8('a😀', 4)).toBe('a');
    expect(truncateUtf8('a😀', 5)).toBe('a😀');
    expect(truncateUtf8('€€', 5)).toBe('€');
  });

  it('closeReason fits a Close frame (RFC 6455 §5.5: 125 bytes, 2 for the code)', () => {
    expect(MAX_CLOSE_REASON_BYTES).toBe(123);
    const reason = closeReason('é'.repeat(100));
    expect(utf8ByteLength(reason)).toBe(122);
    expect(closeReason('short')).toBe('short');
  });
});
