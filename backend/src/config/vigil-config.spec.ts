import { loadConfig } from './vigil-config';

describe('configuration: database, secrets, sessions, origins', () => {
  it('defaults to embedded SQLite, a generated secret, no first admin, 12 h / 2 h sessions', () => {
    expect(loadConfig({})).toMatchObject({
      databaseUrl: null, secret: null, adminEmail: null, sessionTtlMinutes: 720, sessionIdleMinutes: 120,
      loginRateLimit: 10, publicUrl: null, allowedOrigins: [], trustProxy: null,
    });
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        DATABASE_URL: 'postgres://u:p@db/vigil', VIGIL_SECRET: 'k'.repeat(32), VIGIL_ADMIN_EMAIL: 'Admin@Example.org',
        VIGIL_SESSION_TTL_MINUTES: '60', VIGIL_SESSION_IDLE_MINUTES: '30', VIGIL_LOGIN_RATE_LIMIT: '5',
        VIGIL_PUBLIC_URL: 'https://proctor.example.org/', VIGIL_ALLOWED_ORIGINS: 'https://a.example.org/, http://b.example.org:8080',
        VIGIL_TRUST_PROXY: 'loopback',
      }),
    ).toMatchObject({
      databaseUrl: 'postgres://u:p@db/vigil', secret: 'k'.repeat(32), adminEmail: 'admin@example.org', sessionTtlMinutes: 60,
      sessionIdleMinutes: 30, loginRateLimit: 5, publicUrl: 'https://proctor.example.org',
      allowedOrigins: ['https://a.example.org', 'http://b.example.org:8080'], trustProxy: 'loopback',
    });
  });

  it('names every invalid variable', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x', VIGIL_SECRET: 'short', VIGIL_ADMIN_EMAIL: 'nope', VIGIL_PUBLIC_URL: 'ftp://x', VIGIL_ALLOWED_ORIGINS: 'nope' })).toThrow(
      /DATABASE_URL: must be a postgres[\s\S]*VIGIL_SECRET: must be at least 32[\s\S]*VIGIL_ADMIN_EMAIL: must be an e-mail[\s\S]*VIGIL_PUBLIC_URL: must be an http\(s\) URL[\s\S]*VIGIL_ALLOWED_ORIGINS/,
    );
  });
});

describe('configuration: web hardening (issue 8 finding 8)', () => {
  it('defaults: 10 failed logins per account per 15 min, seat tokens open 30 min early, /api/docs behind login', () => {
    expect(loadConfig({})).toMatchObject({ loginAccountLimit: 10, loginAccountWindowMinutes: 15, seatEarlyMinutes: 30, apiDocs: 'login' });
  });

  it('reads the variables', () => {
    expect(
      loadConfig({
        VIGIL_LOGIN_ACCOUNT_LIMIT: '3', VIGIL_LOGIN_ACCOUNT_WINDOW_MINUTES: '60', VIGIL_SEAT_EARLY_MINUTES: '0', VIGIL_API_DOCS: 'off',
        VIGIL_TRUST_PROXY: '10.0.0.0/8, loopback, ::1',
      }),
    ).toMatchObject({ loginAccountLimit: 3, loginAccountWindowMinutes: 60, seatEarlyMinutes: 0, apiDocs: 'off', trustProxy: '10.0.0.0/8, loopback, ::1' });
    expect(loadConfig({ VIGIL_API_DOCS: 'on', VIGIL_TRUST_PROXY: '1' })).toMatchObject({ apiDocs: 'on', trustProxy: '1' });
  });

  it('names bad values, and refuses a trust-all proxy setting', () => {
    expect(() => loadConfig({ VIGIL_API_DOCS: 'yes' })).toThrow(/VIGIL_API_DOCS: must be on, off or login/);
    expect(() => loadConfig({ VIGIL_SEAT_EARLY_MINUTES: '-1' })).toThrow(/VIGIL_SEAT_EARLY_MINUTES/);
    expect(() => loadConfig({ VIGIL_LOGIN_ACCOUNT_LIMIT: '0' })).toThrow(/VIGIL_LOGIN_ACCOUNT_LIMIT/);
    expect(() => loadConfig({ VIGIL_LOGIN_ACCOUNT_WINDOW_MINUTES: 'soon' })).toThrow(/VIGIL_LOGIN_ACCOUNT_WINDOW_MINUTES/);
    expect(() => loadConfig({ VIGIL_LOAD_SHEDDING: "maybe" })).toThrow(/VIGIL_LOAD_SHEDDING: must be "on" or "off"/);
    expect(() => loadConfig({ VIGIL_SHED_LOOP_DELAY_MS: "0" })).toThrow(/VIGIL_SHED_LOOP_DELAY_MS/);
    expect(loadConfig({ VIGIL_LOAD_SHEDDING: "off", VIGIL_SHED_EGRESS_MB: "64" })).toMatchObject({ loadShedding: false, shedEgressBytes: 64 * 2 ** 20 });
    for (const bad of ['true', '*', '10.0.0.0/33', 'proxy.example.org', '1.2.3.4/8/8']) {
      expect(() => loadConfig({ VIGIL_TRUST_PROXY: bad })).toThrow(/VIGIL_TRUST_PROXY: must be a hop count[\s\S]*"true" would let every client/);
    }
  });
});

describe('configuration: statistics, metrics, logs (issue 11 part 3)', () => {
  it('defaults: /metrics off, readable logs, backlog at 10 s', () => {
    expect(loadConfig({})).toMatchObject({ metricsToken: null, metricsLoopback: false, logFormat: 'text', backlogAgeSeconds: 10 });
  });

  it('reads the variables', () => {
    const token = 'a1'.repeat(16);
    expect(loadConfig({ VIGIL_METRICS_TOKEN: token, VIGIL_METRICS_LOOPBACK: 'true', VIGIL_LOG_FORMAT: 'json', VIGIL_BACKLOG_AGE_SECONDS: '30' })).toMatchObject({
      metricsToken: token,
      metricsLoopback: true,
      logFormat: 'json',
      backlogAgeSeconds: 30,
    });
  });

  it('names bad values: a short or spaced token, other formats', () => {
    expect(() => loadConfig({ VIGIL_METRICS_TOKEN: 'short' })).toThrow(/VIGIL_METRICS_TOKEN: must be at least 32/);
    expect(() => loadConfig({ VIGIL_METRICS_TOKEN: 'x'.repeat(20) + ' ' + 'y'.repeat(20) })).toThrow(/VIGIL_METRICS_TOKEN: must be printable ASCII without spaces/);
    expect(() => loadConfig({ VIGIL_METRICS_LOOPBACK: 'yes' })).toThrow(/VIGIL_METRICS_LOOPBACK: must be true or false/);
    expect(() => loadConfig({ VIGIL_LOG_FORMAT: 'pretty' })).toThrow(/VIGIL_LOG_FORMAT: must be text or json/);
    expect(() => loadConfig({ VIGIL_BACKLOG_AGE_SECONDS: '0' })).toThrow(/VIGIL_BACKLOG_AGE_SECONDS/);
  });
});

describe('configuration: join admission (issue 10)', () => {
  it('lets 2 joins set up at once by default and reads VIGIL_JOIN_CONCURRENCY', () => {
    expect(loadConfig({})).toMatchObject({ joinConcurrency: 2 });
    expect(loadConfig({ VIGIL_JOIN_CONCURRENCY: '8' })).toMatchObject({ joinConcurrency: 8 });
  });

  it.each(['0', '65', '1.5', 'many'])('names a bad VIGIL_JOIN_CONCURRENCY (%s)', (bad) => {
    expect(() => loadConfig({ VIGIL_JOIN_CONCURRENCY: bad })).toThrow(/VIGIL_JOIN_CONCURRENCY/);
  });
});
