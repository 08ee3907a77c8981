import { parseSentinelConfig } from './config';

const http = { protocol: 'http:', host: '127.0.0.1:8080' };

describe('parseSentinelConfig', () => {
  it('reads exam, seat and token, and derives the WebSocket URL from the page', () => {
    expect(parseSentinelConfig('?exam=math-2026&seat=A12&token=s3cr3t', http)).toEqual({
      examId: 'math-2026',
      seatId: 'A12',
      token: 's3cr3t',
      wsUrl: 'ws://127.0.0.1:8080/ws/sentinel',
      encoder: 'webcodecs',
      maxKeyframeIntervalMs: 25_000,
    });
    expect(parseSentinelConfig('exam=e&seat=s', { protocol: 'https:', host: 'vigil.example.org' }).wsUrl).toBe(
      'wss://vigil.example.org/ws/sentinel',
    );
  });

  it('allows an empty token for now', () => {
    expect(parseSentinelConfig('?exam=e&seat=s&token=', http).token).toBe('');
    expect(parseSentinelConfig('?exam=e&seat=s', http).token).toBe('');
  });

  it('takes a server override', () => {
    const c = parseSentinelConfig('?exam=e&seat=s&server=' + encodeURIComponent('ws://127.0.0.1:9999/ws/sentinel'), http);
    expect(c.wsUrl).toBe('ws://127.0.0.1:9999/ws/sentinel');
  });

  it('accepts encoder=wasm (reserved) and encoder=webcodecs', () => {
    expect(parseSentinelConfig('?exam=e&seat=s&encoder=wasm', http).encoder).toBe('wasm');
    expect(parseSentinelConfig('?exam=e&seat=s&encoder=webcodecs', http).encoder).toBe('webcodecs');
  });

  it('reads the keyframe interval in seconds (20..30)', () => {
    expect(parseSentinelConfig('?exam=e&seat=s&keyframeInterval=30', http).maxKeyframeIntervalMs).toBe(30_000);
    expect(parseSentinelConfig('?exam=e&seat=s&keyframeInterval=20.5', http).maxKeyframeIntervalMs).toBe(20_500);
    expect(() => parseSentinelConfig('?exam=e&seat=s&keyframeInterval=10', http)).toThrow(
      'keyframeInterval must be a number of seconds in [20, 30], got "10"',
    );
    expect(() => parseSentinelConfig('?exam=e&seat=s&keyframeInterval=abc', http)).toThrow(TypeError);
  });

  it('throws a TypeError that says what to fix', () => {
    expect(() => parseSentinelConfig('?seat=s', http)).toThrow('exam must be 1 to 128 characters of A-Z a-z 0-9 . _ : -, got ""');
    expect(() => parseSentinelConfig('?exam=e', http)).toThrow(/^seat must be/);
    expect(() => parseSentinelConfig('?exam=a b&seat=s', http)).toThrow(TypeError);
    expect(() => parseSentinelConfig('?exam=e&seat=s&token=' + encodeURIComponent('with space'), http)).toThrow(/^token must be/);
    expect(() => parseSentinelConfig('?exam=e&seat=s&token=' + 'x'.repeat(1025), http)).toThrow(TypeError);
    expect(() => parseSentinelConfig('?exam=e&seat=s&encoder=x264', http)).toThrow('encoder must be "webcodecs" or "wasm", got "x264"');
    expect(() => parseSentinelConfig('?exam=e&seat=s&server=http://h/', http)).toThrow('server must be a ws: or wss: URL, got "http://h/"');
    expect(() => parseSentinelConfig('?exam=e&seat=s&server=nonsense', http)).toThrow('server must be an absolute ws: or wss: URL');
    expect(() => parseSentinelConfig('?exam=e&seat=s', { protocol: 'file:', host: '' })).toThrow(/no host/);
    expect(() => parseSentinelConfig(5 as never, http)).toThrow('search must be a string, got 5');
    expect(() => parseSentinelConfig('', null as never)).toThrow('location must be {protocol, host} strings');
  });
});
