import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/**
 * The few file operations the recording's write path uses: the seam where tests inject
 * faults (ENOSPC, EIO, short writes) without touching the real file system's behaviour
 * elsewhere. Every method may reject with a Node system error (`code` = errno name).
 */
export interface RecordingFs {
  /**
   * Opens a file (`fs.open` flags: `'w'` create/truncate, `'r+'` read/write existing, `'r'`).
   * Opening a directory with `'r'` gives a handle whose `datasync()` makes its entries durable.
   * `'r+dsync'` is `'r+'` with `O_DSYNC` (POSIX synchronized I/O data integrity completion,
   * open(2)): each write resolves only once its data, and the size needed to read it back,
   * are on stable storage, as write + fdatasync(2) would, in one system call (issue 10: the
   * append of every fragment made two trips through libuv's thread pool, now one).
   * `'wdsync'` is `'w'` (create or truncate) with `O_DSYNC`, read/write: a new segment file
   * whose first write is synchronized too (its directory entry is not: fsync the folder).
   */
  open(path: string, flags: RecordingOpenFlags): Promise<RecordingFile>;
}

/** How {@link RecordingFs.open} opens a file. */
export type RecordingOpenFlags = 'w' | 'r+' | 'r' | 'r+dsync' | 'wdsync';

/** Whether a handle opened with `flags` synchronizes every write (`O_DSYNC`). */
export function isSynchronized(flags: RecordingOpenFlags): boolean {
  return flags === 'r+dsync' || flags === 'wdsync';
}

/** `'r+dsync'`: read/write an existing file, every write synchronized (`O_RDWR | O_DSYNC`). */
const READ_WRITE_DSYNC = constants.O_RDWR | constants.O_DSYNC;
/** `'wdsync'`: create or truncate, read/write, every write synchronized. */
const CREATE_DSYNC = constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | constants.O_DSYNC;

/** An open file of {@link RecordingFs}. */
export interface RecordingFile {
  /**
   * Writes `length` bytes of `buffer` from `offset` at file `position` (bytes). May store
   * fewer bytes than asked (a short write): callers loop on `bytesWritten`. On a handle
   * opened `'r+dsync'` the bytes stored are durable when it resolves.
   */
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  /** fdatasync(2): the data and the size are on stable storage when it resolves. */
  datasync(): Promise<void>;
  /** ftruncate(2) to `length` bytes. */
  truncate(length: number): Promise<void>;
  /** Size in bytes. */
  size(): Promise<number>;
  close(): Promise<void>;
}

/**
 * A {@link RecordingFile} on a node:fs/promises `FileHandle`. A class, not an object of five
 * arrow functions: a stream keeps three of these open for its whole life and opens one per
 * segment, and each closure was one more long-lived object for V8's major collections to
 * mark (issue 10).
 */
class NodeRecordingFile implements RecordingFile {
  constructor(private readonly handle: FileHandle) {}

  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }> {
    return this.handle.write(buffer, offset, length, position);
  }

  datasync(): Promise<void> {
    return this.handle.datasync();
  }

  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** The real file system (node:fs/promises). */
export const nodeRecordingFs: RecordingFs = {
  async open(path, flags) {
    return new NodeRecordingFile(await open(path, flags === 'r+dsync' ? READ_WRITE_DSYNC : flags === 'wdsync' ? CREATE_DSYNC : flags));
  },
};

/**
 * Writes all of `data` at `position`, looping over short writes (write(2) may store fewer
 * bytes than asked, e.g. on a nearly full disk).
 * @throws the write's error, or an `ENOSPC`-coded Error when a write stores 0 bytes
 */
export async function writeFully(file: Pick<RecordingFile, 'write'>, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.byteLength) {
    const { bytesWritten } = await file.write(data, done, data.byteLength - done, position + done);
    if (bytesWritten <= 0) {
      throw Object.assign(new Error(`write stored 0 of ${data.byteLength - done} bytes (disk full?)`), { code: 'ENOSPC' });
    }
    done += bytesWritten;
  }
}

/** Makes a folder's entries (new or renamed files) durable: fsync of the directory. */
export async function syncDirectory(fs: RecordingFs, dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
