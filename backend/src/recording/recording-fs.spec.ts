import { constants } from 'node:fs';
import { mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RecordingFile, RecordingOpenFlags, nodeRecordingFs } from './recording-fs';

/** open(2)'s access-mode bits (O_ACCMODE, which node:fs does not export). */
const ACCESS_MODE = 0o3;

/** The open-file flags (fdinfo `flags`, octal) of this process's descriptor on `file` (Linux /proc). */
async function openFlags(file: string): Promise<number> {
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => null);
    if (target !== file) continue;
    const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8');
    return parseInt(/^flags:\s+([0-7]+)$/m.exec(info)![1]!, 8);
  }
  throw new Error(`no open descriptor on ${file}`);
}

/** Opens `file` through {@link nodeRecordingFs}, runs `check` with the handle and its open flags, closes it. */
async function withOpen(file: string, flags: RecordingOpenFlags, check: (handle: RecordingFile, openFlags: number) => Promise<void>): Promise<void> {
  const handle = await nodeRecordingFs.open(file, flags);
  try {
    await check(handle, await openFlags(file));
  } finally {
    await handle.close();
  }
}

describe('nodeRecordingFs', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vigil-rfs-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("'r+dsync' opens read/write with O_DSYNC (each write is synchronized) and writes at the given offsets", async () => {
    const file = path.join(dir, 'segment.m4s');
    await writeFile(file, Buffer.from('abcdef'));
    await withOpen(file, 'r+dsync', async (handle, flags) => {
      expect(flags & constants.O_DSYNC).toBe(constants.O_DSYNC);
      expect(flags & ACCESS_MODE).toBe(constants.O_RDWR);
      expect(flags & constants.O_TRUNC).toBe(0);
      expect((await handle.write(Buffer.from('XYZ'), 1, 2, 6)).bytesWritten).toBe(2);
    });
    expect(await readFile(file, 'utf8')).toBe('abcdefYZ');
  });

  it("'r+' stays an ordinary read/write open (no O_DSYNC)", async () => {
    const file = path.join(dir, 'plain.m4s');
    await writeFile(file, Buffer.from('abc'));
    await withOpen(file, 'r+', async (_handle, flags) => {
      expect(flags & constants.O_DSYNC).toBe(0);
      expect(flags & ACCESS_MODE).toBe(constants.O_RDWR);
    });
  });

  it("'wdsync' creates or truncates, read/write with O_DSYNC", async () => {
    const file = path.join(dir, 'new.m4s');
    await writeFile(file, Buffer.from('old contents'));
    await withOpen(file, 'wdsync', async (handle, flags) => {
      expect(flags & constants.O_DSYNC).toBe(constants.O_DSYNC);
      expect(flags & ACCESS_MODE).toBe(constants.O_RDWR);
      expect(await handle.size()).toBe(0); // truncated
      expect((await handle.write(Buffer.from('idr'), 0, 3, 0)).bytesWritten).toBe(3);
    });
    expect(await readFile(file, 'utf8')).toBe('idr');
    await withOpen(path.join(dir, 'created.m4s'), 'wdsync', async (handle) => expect(await handle.size()).toBe(0));
  });

  it("'r+dsync' on a missing file fails with ENOENT (it never creates one)", async () => {
    await expect(nodeRecordingFs.open(path.join(dir, 'missing.m4s'), 'r+dsync')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
