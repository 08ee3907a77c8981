import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SECRET_FILE, loadServerSecret } from './server-secret';

describe('server secret', () => {
  let dir: string;
  const logger = { log: jest.fn(), warn: jest.fn() };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vigil-secret-'));
    logger.log.mockClear();
    logger.warn.mockClear();
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is generated once into the data folder with mode 0600, then reused', async () => {
    const first = await loadServerSecret({ secret: null, dataDir: dir }, logger);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(path.join(dir, SECRET_FILE))).mode & 0o777).toBe(0o600);
    expect(await loadServerSecret({ secret: null, dataDir: dir }, logger)).toBe(first);
    expect(logger.log).toHaveBeenCalledTimes(1);
  });

  it('comes from VIGIL_SECRET when set (no file)', async () => {
    expect(await loadServerSecret({ secret: 's'.repeat(40), dataDir: dir }, logger)).toBe('s'.repeat(40));
    await expect(readFile(path.join(dir, SECRET_FILE))).rejects.toThrow();
  });

  it('warns about a readable file and refuses an unusable one', async () => {
    await writeFile(path.join(dir, SECRET_FILE), 'a'.repeat(64), { mode: 0o644 });
    expect(await loadServerSecret({ secret: null, dataDir: dir }, logger)).toBe('a'.repeat(64));
    expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(/chmod 600/));
    await writeFile(path.join(dir, SECRET_FILE), 'short');
    await expect(loadServerSecret({ secret: null, dataDir: dir }, logger)).rejects.toThrow(/no usable secret/);
  });
});
