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
