import { LoginLimiter } from './login-limiter';
import { SERVER_TEST_TIMEOUT_MS, TestClient, TestServer, adminClient, startTestServer } from '../testing/test-server';

jest.setTimeout(SERVER_TEST_TIMEOUT_MS);

describe('LoginLimiter (pure): failed logins per account in a sliding window', () => {
  const MIN = 60_000;

  it('allows `limit` failures, then says how many seconds until the oldest leaves the window', () => {
    const l = new LoginLimiter(3, 15 * MIN);
    expect(l.retryAfterSeconds('a', 0)).toBe(0);
    l.fail('a', 0);
    l.fail('a', 1 * MIN);
    expect(l.retryAfterSeconds('a', 1 * MIN)).toBe(0);
    l.fail('a', 2 * MIN);
    expect(l.retryAfterSeconds('a', 2 * MIN)).toBe(13 * 60); // until the failure at 0 is 15 min old
    expect(l.retryAfterSeconds('a', 10 * MIN)).toBe(5 * 60);
    expect(l.retryAfterSeconds('a', 15 * MIN - 1)).toBe(1); // never 0 while blocked
    // the first failure left the window: one more try
    expect(l.retryAfterSeconds('a', 15 * MIN)).toBe(0);
    l.fail('a', 15 * MIN);
    expect(l.retryAfterSeconds('a', 15 * MIN)).toBe(60); // now the one at 1 min is the oldest
    // other accounts are not touched
    expect(l.retryAfterSeconds('b', 15 * MIN)).toBe(0);
  });

  it('a success forgets the account; failures past the window are dropped', () => {
    const l = new LoginLimiter(2, 1000);
    l.fail('a', 0);
    l.fail('a', 1);
    expect(l.retryAfterSeconds('a', 2)).toBeGreaterThan(0);
    l.succeed('a');
    expect(l.retryAfterSeconds('a', 2)).toBe(0);
    expect(l.size).toBe(0);
    l.fail('b', 0);
    expect(l.retryAfterSeconds('b', 5000)).toBe(0);
    expect(l.size).toBe(0); // expired entries go on the next look
  });

  it('keeps at most maxAccounts accounts, dropping the least recently failed', () => {
    const l = new LoginLimiter(1, 60_000, 2);
    l.fail('a', 0);
    l.fail('b', 1);
    l.fail('a', 2); // a is now the most recent
    l.fail('c', 3);
    expect(l.size).toBe(2);
    expect(l.retryAfterSeconds('b', 4)).toBe(0); // dropped
    expect(l.retryAfterSeconds('a', 4)).toBeGreaterThan(0);
    expect(l.retryAfterSeconds('c', 4)).toBeGreaterThan(0);
  });

  it('refuses a bad limit, window or bound', () => {
    expect(() => new LoginLimiter(0, 1)).toThrow('limit must be a whole number >= 1, got 0');
    expect(() => new LoginLimiter(1.5, 1)).toThrow(RangeError);
    expect(() => new LoginLimiter(1, 0)).toThrow('windowMs must be a number of ms > 0, got 0');
    expect(() => new LoginLimiter(1, Number.NaN)).toThrow(RangeError);
    expect(() => new LoginLimiter(1, 1, 0)).toThrow('maxAccounts must be a whole number >= 1, got 0');
  });
});

/** A login from the client address `forwardedFor` (sent as X-Forwarded-For, as a proxy in front adds it). */
function login(server: TestServer, email: string, password: string, forwardedFor?: string) {
  return new TestClient(server).post('/api/auth/login', { email, password }, forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {});
}

describe('failed-login limit per account over HTTP (VIGIL_LOGIN_ACCOUNT_LIMIT)', () => {
  let server: TestServer;
  let admin: TestClient;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { VIGIL_LOGIN_ACCOUNT_LIMIT: '3', VIGIL_LOGIN_ACCOUNT_WINDOW_MINUTES: '15', VIGIL_TRUST_PROXY: 'loopback' });
    admin = await adminClient(server);
  });

  afterAll(async () => {
    await server.close();
  });

  /** A proctor with a known password (its one-time one). */
  async function user(email: string): Promise<string> {
    return (await admin.post('/api/users', { email })).body.oneTimePassword as string;
  }

  it('answers 429 with Retry-After after 3 failures spread over 3 addresses, even to the right password', async () => {
    const password = await user('target@vigil.test');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await login(server, 'target@vigil.test', `guess ${i}`, `198.51.100.${i + 1}`)).status);
    expect(statuses).toEqual([401, 401, 401]);
    const blocked = await login(server, 'Target@Vigil.test ', password, '198.51.100.99'); // same account, however typed
    expect(blocked.status).toBe(429);
    expect(blocked.body.message).toMatch(/^too many failed logins for this account: try again in \d+ s$/);
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(blocked.headers.get('set-cookie')).toBeNull();
    // another account, from the same addresses, is not affected
    const other = await user('bystander@vigil.test');
    expect((await login(server, 'bystander@vigil.test', other, '198.51.100.1')).status).toBe(200);
  });

  it('answers an unknown account exactly like a known one (no enumeration)', async () => {
    await user('known@vigil.test');
    const run = async (email: string) => {
      const out: [number, string, string | null][] = [];
      for (let i = 0; i < 5; i++) {
        const res = await login(server, email, `guess ${i}`, `192.0.2.${i + 1}`);
        out.push([res.status, String(res.body.message).replace(/\d+ s$/, 'N s'), res.headers.get('retry-after') === null ? null : 'set']);
      }
      return out;
    };
    const known = await run('known@vigil.test');
    expect(known.map((r) => r[0])).toEqual([401, 401, 401, 429, 429]);
    expect(await run('nobody-here@vigil.test')).toEqual(known);
  });

  it('a successful login clears the account\'s failures', async () => {
    const password = await user('forgetful@vigil.test');
    for (let i = 0; i < 2; i++) expect((await login(server, 'forgetful@vigil.test', 'typo')).status).toBe(401);
    expect((await login(server, 'forgetful@vigil.test', password)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await login(server, 'forgetful@vigil.test', 'typo')).status).toBe(401);
    expect((await login(server, 'forgetful@vigil.test', password)).status).toBe(429);
  });

  it('counts parallel guesses too: 10 at once for one account get at most 3 answers other than 429', async () => {
    await user('parallel@vigil.test');
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => login(server, 'parallel@vigil.test', `guess ${i}`, `203.0.113.${i + 1}`)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
  });
});

describe('per-address login limit behind a proxy (VIGIL_LOGIN_RATE_LIMIT, VIGIL_TRUST_PROXY)', () => {
  let behindProxy: TestServer;
  let direct: TestServer;

  beforeAll(async () => {
    behindProxy = await startTestServer('sqlite', { VIGIL_LOGIN_RATE_LIMIT: '2', VIGIL_TRUST_PROXY: 'loopback' });
    direct = await startTestServer('sqlite', { VIGIL_LOGIN_RATE_LIMIT: '2' });
  });

  afterAll(async () => {
    await behindProxy.close();
    await direct.close();
  });

  it('behind a trusted proxy, counts the client address from X-Forwarded-For, not the proxy\'s', async () => {
    const a = [];
    for (let i = 0; i < 3; i++) a.push(await login(behindProxy, `p${i}@vigil.test`, 'x', '203.0.113.7'));
    expect(a.map((r) => r.status)).toEqual([401, 401, 429]);
    expect(Number(a[2].headers.get('retry-after'))).toBeGreaterThan(0);
    expect(a[2].headers.get('retry-after-default')).toBeNull();
    // another client behind the same proxy has its own allowance
    expect((await login(behindProxy, 'q@vigil.test', 'x', '203.0.113.8')).status).toBe(401);
  });

  it('without VIGIL_TRUST_PROXY, a made-up X-Forwarded-For does not buy new attempts', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await login(direct, `d${i}@vigil.test`, 'x', `198.51.100.${i + 1}`)).status);
    expect(statuses).toEqual([401, 401, 429, 429]);
  });
});
