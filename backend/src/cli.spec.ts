import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './cli';
import { SERVER_TEST_TIMEOUT_MS } from './testing/test-server';
import { loadConfig } from './config/vigil-config';
import { DatabaseService } from './db/database.service';
import { verifyPassword } from './auth/secrets';

jest.setTimeout(SERVER_TEST_TIMEOUT_MS);

describe('CLI: create-admin and reset-password (SQLite data folder)', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vigil-cli-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const config = () => loadConfig({ VIGIL_DATA_DIR: dir });
  const passwordOf = (out: string) => /one-time password for [^:]+: ([A-Za-z0-9]{20})/.exec(out)?.[1] ?? '';

  async function hashOf(email: string): Promise<string> {
    const db = await DatabaseService.open({ databaseUrl: null, dataDir: dir }, { log: () => undefined });
    try {
      return (await db.db.selectFrom('users').select('passwordHash').where('email', '=', email).executeTakeFirstOrThrow()).passwordHash;
    } finally {
      await db.close();
    }
  }

  it('creates an admin with a one-time password printed once, and never twice', async () => {
    const created = await runCli(config(), ['create-admin', 'Boss@Vigil.test']);
    expect(created.code).toBe(0);
    expect(created.out).toMatch(/^created admin boss@vigil\.test\n/);
    const password = passwordOf(created.out);
    expect(await verifyPassword(await hashOf('boss@vigil.test'), password)).toBe(true);
    const again = await runCli(config(), ['create-admin', 'boss@vigil.test']);
    expect(again).toEqual({ code: 1, out: expect.stringMatching(/already exists; use reset-password/) });
  });

  it('resets a password', async () => {
    const reset = await runCli(config(), ['reset-password', 'boss@vigil.test']);
    expect(reset.code).toBe(0);
    expect(await verifyPassword(await hashOf('boss@vigil.test'), passwordOf(reset.out))).toBe(true);
    expect(await runCli(config(), ['reset-password', 'nobody@vigil.test'])).toEqual({ code: 1, out: 'no user nobody@vigil.test' });
  });

  it('prints usage for bad arguments', async () => {
    for (const args of [['create-admin'], ['create-admin', 'not-an-email'], ['create-admin', 'a@b.c', 'extra'], ['frobnicate', 'a@b.c']]) {
      expect((await runCli(config(), args)).code).toBe(2);
    }
  });
});
