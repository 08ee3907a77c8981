import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** File in the data folder holding the generated server secret. */
export const SECRET_FILE = 'secret.key';

/**
 * The server secret (signs seat tokens): `VIGIL_SECRET` when set; otherwise
 * `<dataDir>/secret.key`, created on first start with 32 random bytes (hex) and mode
 * 0600. Losing or changing it invalidates every kiosk URL.
 * @throws Error when the file exists but is empty or unreadable
 */
export async function loadServerSecret(
  config: { secret: string | null; dataDir: string },
  logger: Pick<Logger, 'log' | 'warn'> = new Logger('Secret'),
): Promise<string> {
  if (config.secret) return config.secret;
  const file = path.resolve(config.dataDir, SECRET_FILE);
  await mkdir(path.dirname(file), { recursive: true });
  try {
    await writeFile(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    logger.log(`generated the server secret in ${file} (mode 0600); back it up with the data folder: kiosk URLs depend on it`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const mode = (await stat(file)).mode & 0o777;
  if (mode & 0o077) logger.warn(`${file} is readable by other users (mode ${mode.toString(8)}): chmod 600 it`);
  const secret = (await readFile(file, 'utf8')).trim();
  if (secret.length < 32) throw new Error(`${file} holds no usable secret (under 32 characters): delete it to generate a new one (every kiosk URL changes) or set VIGIL_SECRET`);
  return secret;
}
