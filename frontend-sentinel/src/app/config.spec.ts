import { addressWithoutToken, loadPageConfig, parseSentinelConfig, tokenStorageKey, type SentinelPage } from './config';

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

describe('the seat token in the fragment (#token=…)', () => {
  it('reads the token from the fragment, and other parameters from query and fragment (fragment wins)', () => {
    expect(parseSentinelConfig('?exam=e&seat=s', { ...http, hash: '#token=v1.abc.def' }).token).toBe('v1.abc.def');
    // kiosk URL with parameters appended after the fragment (`${kioskUrl}&keyframeInterval=30`)
    const c = parseSentinelConfig('?exam=e&seat=s', { ...http, hash: '#token=t&keyframeInterval=30&encoder=wasm' });
    expect(c).toMatchObject({ token: 't', maxKeyframeIntervalMs: 30_000, encoder: 'wasm' });
    expect(parseSentinelConfig('?exam=e&seat=s&token=old', { ...http, hash: '#token=new' }).token).toBe('new');
    // the old ?token= still works (one release)
    expect(parseSentinelConfig('?exam=e&seat=s&token=old', { ...http, hash: '' }).token).toBe('old');
  });

  it('checks a fragment token like a query one, and refuses a non-string hash', () => {
    expect(() => parseSentinelConfig('?exam=e&seat=s', { ...http, hash: '#token=' + encodeURIComponent('a b') })).toThrow(/^token must be/);
    expect(() => parseSentinelConfig('?exam=e&seat=s', { ...http, hash: '#token=' + 'x'.repeat(1025) })).toThrow(/^token must be/);
    expect(() => parseSentinelConfig('?exam=e&seat=s', { ...http, hash: 5 as never })).toThrow('location.hash must be a string, got 5');
  });

  it('addressWithoutToken drops the token from fragment and query and keeps the rest', () => {
    expect(addressWithoutToken('http://h/sentinel/?exam=e&seat=s#token=v1.a.b')).toBe('http://h/sentinel/?exam=e&seat=s');
    expect(addressWithoutToken('http://h/sentinel/?exam=e&seat=s#token=v1.a.b&keyframeInterval=30')).toBe('http://h/sentinel/?exam=e&seat=s#keyframeInterval=30');
    expect(addressWithoutToken('http://h/sentinel/?exam=e&token=old&seat=s')).toBe('http://h/sentinel/?exam=e&seat=s');
    expect(addressWithoutToken('http://h/sentinel/?exam=e&seat=s')).toBeNull();
    expect(addressWithoutToken('http://h/sentinel/?exam=e&seat=s#encoder=wasm')).toBeNull();
    expect(() => addressWithoutToken('not a url')).toThrow('href must be an absolute URL, got "not a url"');
  });
});

describe('loadPageConfig', () => {
  /** A fake page whose history.replaceState updates its location, as a browser does. */
  function fakePage(href: string, storage: Map<string, string> | null = new Map()): SentinelPage & { replaced: string[] } {
    const replaced: string[] = [];
    const location = { protocol: 'http:', host: 'h', href, search: '', hash: '' };
    const set = (h: string) => {
      const u = new URL(h);
      Object.assign(location, { href: u.href, search: u.search, hash: u.hash });
    };
    set(href);
    return {
      location,
      history: { state: null, replaceState: (_s: unknown, _t: string, url?: string | URL | null) => { replaced.push(String(url)); set(String(url)); } },
      sessionStorage: storage && { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v) },
      replaced,
    };
  }

  it('takes the token out of the address bar and keeps it for a reload of the same tab', () => {
    const storage = new Map<string, string>();
    const page = fakePage('http://h/sentinel/?exam=e&seat=s#token=v1.a.b&keyframeInterval=30', storage);
    expect(loadPageConfig(page)).toMatchObject({ examId: 'e', seatId: 's', token: 'v1.a.b', maxKeyframeIntervalMs: 30_000 });
    expect(page.replaced).toEqual(['http://h/sentinel/?exam=e&seat=s#keyframeInterval=30']);
    expect(page.location.href).not.toContain('v1.a.b');
    expect(storage.get(tokenStorageKey('e', 's'))).toBe('v1.a.b');
    // the reload: the address has no token any more, the tab's storage has
    const reloaded = fakePage(page.location.href, storage);
    expect(loadPageConfig(reloaded).token).toBe('v1.a.b');
    expect(reloaded.replaced).toEqual([]);
    // another seat in the same tab does not get it
    expect(loadPageConfig(fakePage('http://h/sentinel/?exam=e&seat=other', storage)).token).toBe('');
  });

  it('a new token in the address replaces the stored one (a revoked seat gets a new kiosk URL)', () => {
    const storage = new Map([[tokenStorageKey('e', 's'), 'v1.old.sig']]);
    expect(loadPageConfig(fakePage('http://h/sentinel/?exam=e&seat=s#token=v1.new.sig', storage)).token).toBe('v1.new.sig');
    expect(storage.get(tokenStorageKey('e', 's'))).toBe('v1.new.sig');
  });

  it('works without storage, ignores a stored token of the wrong form, and survives a throwing storage', () => {
    const none = fakePage('http://h/sentinel/?exam=e&seat=s#token=t', null);
    expect(loadPageConfig(none).token).toBe('t');
    expect(none.replaced).toEqual(['http://h/sentinel/?exam=e&seat=s']);
    expect(loadPageConfig(fakePage('http://h/sentinel/?exam=e&seat=s', new Map([[tokenStorageKey('e', 's'), 'has space']]))).token).toBe('');
    const throwing = fakePage('http://h/sentinel/?exam=e&seat=s#token=t');
    throwing.sessionStorage = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('quota'); } };
    expect(loadPageConfig(throwing).token).toBe('t');
    expect(throwing.replaced).toHaveLength(1);
    // a browser where even reading window.sessionStorage throws (storage blocked)
    const blocked = fakePage('http://h/sentinel/?exam=e&seat=s#token=t');
    Object.defineProperty(blocked, 'sessionStorage', { get: () => { throw new DOMException('denied', 'SecurityError'); } });
    expect(loadPageConfig(blocked).token).toBe('t');
    expect(blocked.replaced).toHaveLength(1);
  });

  it('throws the parser\'s TypeError for a bad address and leaves the address alone', () => {
    const bad = fakePage('http://h/sentinel/?seat=s#token=t');
    expect(() => loadPageConfig(bad)).toThrow(/^exam must be/);
    expect(bad.replaced).toEqual([]);
  });
});
