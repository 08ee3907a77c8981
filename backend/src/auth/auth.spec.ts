import { UsersService } from '../users-api/users.service';
import { SERVER_TEST_TIMEOUT_MS, TEST_DATABASES, TEST_PASSWORD, TestClient, TestServer, adminClient, databaseOf, startTestServer } from '../testing/test-server';
import { isAllowedOrigin } from './origin';
import { readSessionCookie } from './session-cookie';

jest.setTimeout(SERVER_TEST_TIMEOUT_MS);

describe.each(TEST_DATABASES)('logins and sessions over HTTP (%s)', (database) => {
  let server: TestServer;
  let admin: TestClient;

  beforeAll(async () => {
    server = await startTestServer(database);
    admin = await adminClient(server);
  });

  afterAll(async () => {
    await server.close();
  });

  /** A new proctor and their one-time password. */
  async function newUser(email: string): Promise<{ id: string; password: string }> {
    const res = await admin.post('/api/users', { email });
    return { id: res.body.user.id, password: res.body.oneTimePassword };
  }

  it('sets an httpOnly, SameSite=Strict session cookie and never shows it in the body', async () => {
    const user = await newUser('cookie@vigil.test');
    const client = new TestClient(server);
    const res = await client.post('/api/auth/login', { email: 'COOKIE@vigil.test ', password: user.password });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^vigil_session=[A-Za-z0-9_-]{43}; Max-Age=43199|^vigil_session=[A-Za-z0-9_-]{43}; Max-Age=43200/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/); // plain HTTP here; HTTPS (req.secure or an https VIGIL_PUBLIC_URL) adds it
    expect(res.body).toMatchObject({ mustChangePassword: true, user: { email: 'cookie@vigil.test', role: 'proctor' }, expiresAtMs: expect.any(Number) });
    expect(res.text).not.toContain(client.cookie!.slice('vigil_session='.length));
    // the database holds only a hash of the cookie value
    const rows = await databaseOf(server).db.selectFrom('sessions').select('id').execute();
    expect(rows.map((r) => r.id)).not.toContain(client.cookie!.slice('vigil_session='.length));
  });

  it('answers every failed login the same way: unknown e-mail, wrong password, disabled user', async () => {
    const user = await newUser('failing@vigil.test');
    const anonymous = new TestClient(server);
    const unknown = await anonymous.post('/api/auth/login', { email: 'nobody@vigil.test', password: 'whatever' });
    const wrong = await anonymous.post('/api/auth/login', { email: 'failing@vigil.test', password: 'wrong password' });
    await admin.patch(`/api/users/${user.id}`, { disabled: true });
    const disabled = await anonymous.post('/api/auth/login', { email: 'failing@vigil.test', password: user.password });
    for (const res of [unknown, wrong, disabled]) {
      expect(res.status).toBe(401);
      expect(res.body.message).toBe('email or password is wrong');
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    const failures = (await admin.get('/api/audit?action=auth.login-failed')).body as { details: { email: string; reason: string } }[];
    expect(failures.map((f) => f.details.reason)).toEqual(expect.arrayContaining(['unknown e-mail', 'wrong password', 'user disabled']));
  });

  it('validates the login body: 400 naming the field', async () => {
    const anonymous = new TestClient(server);
    expect((await anonymous.post('/api/auth/login', { email: 'x@y.z' })).body.message).toEqual(expect.arrayContaining([expect.stringMatching(/^password must be/)]));
    expect((await anonymous.post('/api/auth/login', { password: 'x' })).body.message).toEqual(expect.arrayContaining([expect.stringMatching(/^email must be/)]));
    expect((await anonymous.post('/api/auth/login', { email: 'x@y.z', password: 'x', remember: true })).body.message).toEqual(['property remember should not exist']);
  });

  it('restricts a one-time password session to me, password and logout until the password is changed', async () => {
    const user = await newUser('otp@vigil.test');
    const client = new TestClient(server);
    await client.post('/api/auth/login', { email: 'otp@vigil.test', password: user.password });
    expect((await client.get('/api/auth/me')).body).toMatchObject({ mustChangePassword: true });
    const blocked = await client.get('/api/exams');
    expect(blocked.status).toBe(403);
    expect(blocked.body.message).toMatch(/change your one-time password first/);
    expect((await client.post('/api/auth/password', { currentPassword: 'nope', newPassword: TEST_PASSWORD })).body.message).toBe('currentPassword is wrong');
    expect((await client.post('/api/auth/password', { currentPassword: user.password, newPassword: 'short' })).body.message).toEqual([
      'newPassword must be 12 to 256 characters',
    ]);
    expect((await client.post('/api/auth/password', { currentPassword: user.password, newPassword: user.password })).body.message).toMatch(/newPassword must differ/);
    expect((await client.post('/api/auth/password', { currentPassword: user.password, newPassword: TEST_PASSWORD })).status).toBe(204);
    expect((await client.get('/api/exams')).status).toBe(200);
    expect((await client.get('/api/auth/me')).body.mustChangePassword).toBe(false);
    // the old one-time password is gone
    expect((await new TestClient(server).post('/api/auth/login', { email: 'otp@vigil.test', password: user.password })).status).toBe(401);
  });

  it('ends the other sessions when a password changes, and a session on logout', async () => {
    const user = await newUser('two.tabs@vigil.test');
    const tab1 = new TestClient(server);
    await tab1.login('two.tabs@vigil.test', user.password, TEST_PASSWORD);
    const tab2 = new TestClient(server);
    await tab2.login('two.tabs@vigil.test', TEST_PASSWORD);
    expect((await tab2.get('/api/exams')).status).toBe(200);
    expect((await tab1.post('/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'an even longer password' })).status).toBe(204);
    expect((await tab2.get('/api/exams')).status).toBe(401);
    expect((await tab1.get('/api/exams')).status).toBe(200);
    const oldCookie = tab1.cookie;
    const logout = await tab1.post('/api/auth/logout');
    expect(logout.status).toBe(204);
    expect(logout.headers.get('set-cookie')).toMatch(/vigil_session=; Max-Age=0/);
    const replay = new TestClient(server);
    replay.cookie = oldCookie;
    expect((await replay.get('/api/exams')).status).toBe(401);
    expect((await replay.post('/api/auth/logout')).status).toBe(401);
  });

  it('expires sessions: absolute lifetime and idle time', async () => {
    const user = await newUser('expiry@vigil.test');
    const client = new TestClient(server);
    await client.login('expiry@vigil.test', user.password, TEST_PASSWORD);
    const db = databaseOf(server).db;
    expect((await client.get('/api/exams')).status).toBe(200);
    await db.updateTable('sessions').set({ idleExpiresAt: Date.now() - 1 }).where('userId', '=', user.id).execute();
    expect((await client.get('/api/exams')).status).toBe(401);
    await client.login('expiry@vigil.test', TEST_PASSWORD);
    await db.updateTable('sessions').set({ expiresAt: Date.now() - 1 }).where('userId', '=', user.id).execute();
    const expired = await client.get('/api/exams');
    expect(expired.status).toBe(401);
    expect(expired.body.message).toMatch(/may have expired/);
    expect(await db.selectFrom('sessions').select('id').where('userId', '=', user.id).execute()).toEqual([]);
  });

  it('pushes the idle expiry forward on use', async () => {
    const user = await newUser('idle@vigil.test');
    const client = new TestClient(server);
    await client.login('idle@vigil.test', user.password, TEST_PASSWORD);
    const db = databaseOf(server).db;
    const soon = Date.now() + 1000;
    await db.updateTable('sessions').set({ idleExpiresAt: soon }).where('userId', '=', user.id).execute();
    expect((await client.get('/api/exams')).status).toBe(200);
    const row = await db.selectFrom('sessions').select('idleExpiresAt').where('userId', '=', user.id).executeTakeFirstOrThrow();
    expect(row.idleExpiresAt).toBeGreaterThan(Date.now() + 100 * 60_000);
  });

  it('refuses cookie-authenticated writes from a foreign Origin (403), allows same-origin and Origin-less ones', async () => {
    const now = Date.now();
    const body = { name: 'csrf', startsAtMs: now, endsAtMs: now + 1000 };
    const foreign = await admin.post('/api/exams', body, { headers: { origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.body.message).toMatch(/origin http:\/\/evil\.example are refused/);
    expect((await admin.post('/api/exams', body, { headers: { origin: server.base } })).status).toBe(201);
    const originLess = await fetch(`${server.base}/api/exams`, { method: 'POST', headers: { cookie: admin.cookie!, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(originLess.status).toBe(201); // not a browser (browsers send Origin on every POST)
    // reads are not checked (SameSite=Strict keeps the cookie off cross-site requests anyway)
    expect((await admin.get('/api/exams', { headers: { origin: 'http://evil.example' } })).status).toBe(200);
  });

  it('creates the first admin from VIGIL_ADMIN_EMAIL once, with a one-time password in the log', async () => {
    const users = server.app.get(UsersService);
    expect(await users.ensureAdmin('admin@vigil.test', { principal: null, ip: null })).toBeNull();
    expect(await users.findByEmail('admin@vigil.test')).toMatchObject({ role: 'admin' });
  });
});

describe('login rate limit', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { VIGIL_LOGIN_RATE_LIMIT: '3' });
  });

  afterAll(async () => {
    await server.close();
  });

  it('answers 429 after VIGIL_LOGIN_RATE_LIMIT attempts per minute from one address', async () => {
    const client = new TestClient(server);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await client.post('/api/auth/login', { email: 'a@b.c', password: 'guess' + i })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // other routes are not limited
    expect((await client.get('/api/health')).status).toBe(200);
  });
});

describe('VIGIL_ADMIN_EMAIL', () => {
  it('creates the admin on start and logs its one-time password once', async () => {
    const logs: string[] = [];
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { Logger } = await import('@nestjs/common');
    const spy = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void logs.push(String(message)));
    const server = await startTestServer('sqlite', { VIGIL_ADMIN_EMAIL: 'First.Admin@vigil.test' });
    try {
      const line = logs.find((l) => l.includes('one-time password for first.admin@vigil.test: '));
      expect(line).toBeDefined();
      const password = /one-time password for first\.admin@vigil\.test: ([A-Za-z0-9]{20})/.exec(line!)![1];
      const client = new TestClient(server);
      const res = await client.post('/api/auth/login', { email: 'first.admin@vigil.test', password });
      expect(res.body).toMatchObject({ mustChangePassword: true, user: { role: 'admin' } });
    } finally {
      spy.mockRestore();
      warn.mockRestore();
      await server.close();
    }
  });
});

describe('origin and cookie helpers', () => {
  const config = { publicUrl: 'https://proctor.example.org', allowedOrigins: ['https://portal.example.org'] };

  it('allows the request host, the public URL and listed origins only', () => {
    expect(isAllowedOrigin('http://127.0.0.1:8080', '127.0.0.1:8080', config)).toBe(true);
    expect(isAllowedOrigin('https://proctor.example.org', 'internal:8080', config)).toBe(true);
    expect(isAllowedOrigin('https://portal.example.org', 'internal:8080', config)).toBe(true);
    expect(isAllowedOrigin('https://evil.example', '127.0.0.1:8080', config)).toBe(false);
    expect(isAllowedOrigin('http://127.0.0.1:8081', '127.0.0.1:8080', config)).toBe(false);
    expect(isAllowedOrigin(undefined, '127.0.0.1:8080', config)).toBe(false);
    expect(isAllowedOrigin('null', '127.0.0.1:8080', config)).toBe(false);
    expect(isAllowedOrigin('not a url', '127.0.0.1:8080', config)).toBe(false);
  });

  it('reads only well-formed session cookies', () => {
    const token = 'A'.repeat(43);
    expect(readSessionCookie(`a=1; vigil_session=${token}; b=2`)).toBe(token);
    expect(readSessionCookie('vigil_session=short')).toBeNull();
    expect(readSessionCookie(undefined)).toBeNull();
  });
});
