import { mkdtemp, readFile, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RecordingStore, StreamRecording } from './recording-store';
import { RecordingFile, RecordingFs, RecordingOpenFlags, isSynchronized, nodeRecordingFs } from './recording-fs';
import { repairRecording } from './recording-repair';
import { streamMessages, toUnits } from '../testing/media-fixtures';
import type { StreamMeta } from './recording-layout';

/**
 * The sync chain of a joining stream (issue 10): a new folder is opened with one sync
 * (meta.json's data), and its first unit's file, index line and directory entries (the
 * stream folder's and the shared `streams/` folder's) are synced in one round. Checked
 * against real files with every fdatasync held until the test releases it: a write never
 * resolves (nothing is acknowledged) before every sync covering it completed, and a failed
 * shared sync fails only the streams whose entries it covered.
 */

/** One fdatasync the test holds: the file (or folder) it is on. */
interface HeldSync {
  file: string;
  /** A synchronized write (on a handle opened with O_DSYNC) or an fdatasync/fsync. */
  op: 'write' | 'datasync';
  release(): void;
  fail(error: Error): void;
}

/** The real file system, with every datasync held until released. */
class GatedFs implements RecordingFs {
  readonly held: HeldSync[] = [];

  async open(file: string, flags: RecordingOpenFlags): Promise<RecordingFile> {
    const real = await nodeRecordingFs.open(file, flags);
    return {
      ...real,
      // a synchronized write ('r+dsync', 'wdsync') is its own sync: held like one
      write: (buffer, offset, length, position) =>
        !isSynchronized(flags)
          ? real.write(buffer, offset, length, position)
          : new Promise((resolve, reject) => {
              this.held.push({ file, op: 'write', release: () => real.write(buffer, offset, length, position).then(resolve, reject), fail: reject });
            }),
      datasync: () =>
        new Promise<void>((resolve, reject) => {
          this.held.push({
            file,
            op: 'datasync',
            release: () => real.datasync().then(resolve, reject),
            fail: reject,
          });
        }),
      truncate: (length) => real.truncate(length),
      size: () => real.size(),
      close: () => real.close(),
    };
  }

  /** Takes the held syncs whose path matches (in arrival order). */
  take(match: (file: string) => boolean): HeldSync[] {
    const taken = this.held.filter((h) => match(h.file));
    for (const t of taken) this.held.splice(this.held.indexOf(t), 1);
    return taken;
  }
}

const tick = () => new Promise((r) => setTimeout(r, 10));

/** How many of this process's descriptors are open on `file` (Linux /proc). */
async function descriptorsOn(file: string): Promise<number> {
  let count = 0;
  for (const fd of await readdir('/proc/self/fd')) if ((await readlink(`/proc/self/fd/${fd}`).catch(() => null)) === file) count++;
  return count;
}
const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !check(); i++) await tick();
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

/** Tracks a promise's outcome without awaiting it. */
function track(promise: Promise<unknown>) {
  const state: { settled: 'no' | 'resolved' | 'rejected'; error?: unknown } = { settled: 'no' };
  promise.then(
    () => (state.settled = 'resolved'),
    (e: unknown) => {
      state.settled = 'rejected';
      state.error = e;
    },
  );
  return state;
}

describe('sync chain of a joining stream', () => {
  let dataDir: string;
  let fs: GatedFs;
  let store: RecordingStore;
  const units = toUnits(streamMessages(3, 10));
  const meta = (streamId: string): StreamMeta => ({ streamId, examId: 'exam-1', seatId: streamId, encoder: 'webcodecs', userAgent: 'jest', createdAtMs: 1_764_000_000_000 });

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'vigil-join-syncs-'));
    fs = new GatedFs();
    store = new RecordingStore(dataDir, true, fs);
  });
  afterEach(async () => {
    for (const h of fs.take(() => true)) h.release();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Opens a new stream's recording, releasing its one sync (meta.json's data). */
  async function openNew(streamId: string): Promise<StreamRecording> {
    const opening = store.open(meta(streamId));
    await until(() => fs.held.some((h) => h.file.endsWith(`${streamId}/meta.json.tmp`)), 'the meta.json sync');
    expect(fs.held.map((h) => path.relative(dataDir, h.file))).toEqual([`streams/${streamId}/meta.json.tmp`]); // no directory sync before welcome
    for (const h of fs.take(() => true)) h.release();
    return opening;
  }

  it('the first unit resolves only after its file, its index line and every new directory entry are synced', async () => {
    const recording = await openNew('stream-a');
    const streamsDir = path.join(dataDir, 'streams');
    const streamDir = path.join(streamsDir, 'stream-a');

    const init = track(recording.write(units[0]));
    await until(() => fs.held.length === 4, 'the four syncs of the first unit');
    expect(fs.held.map((h) => path.relative(dataDir, h.file) || '.').sort()).toEqual(
      ['streams', 'streams/stream-a', 'streams/stream-a/000000000001-init.mp4', 'streams/stream-a/index.jsonl'].sort(),
    );
    // released one at a time: the write stays pending until the last one completed
    for (const file of [path.join(streamDir, '000000000001-init.mp4'), path.join(streamDir, 'index.jsonl'), streamsDir]) {
      for (const h of fs.take((f) => f === file)) h.release();
      await tick();
      expect(init.settled).toBe('no');
    }
    for (const h of fs.take((f) => f === streamDir)) h.release();
    await until(() => init.settled !== 'no', 'the init write');
    expect(init.settled).toBe('resolved');

    // a join fragment: a new segment file; the folder's entries were made durable already
    const fragment = track(recording.write(units[1]));
    await until(() => fs.held.length === 3, 'the three syncs of a new segment');
    expect(fs.held.some((h) => h.file === streamsDir)).toBe(false);
    const [last, ...others] = fs.take(() => true);
    for (const h of others) h.release();
    await tick();
    expect(fragment.settled).toBe('no');
    last.release();
    await until(() => fragment.settled !== 'no', 'the fragment write');
    expect(fragment.settled).toBe('resolved');

    // a non-join fragment appends to the segment: one sync
    const next = track(recording.write(units[2]));
    await until(() => fs.held.length === 1, 'the append sync');
    await tick();
    expect(next.settled).toBe('no');
    for (const h of fs.take(() => true)) h.release();
    await until(() => next.settled !== 'no', 'the append');
    expect(next.settled).toBe('resolved');
    await recording.close();

    const index = (await readFile(path.join(streamDir, 'index.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(index.map((e) => e.type)).toEqual(['init', 'segment']);
    expect((await repairRecording(streamDir, nodeRecordingFs)).resume.lastSequence).toBe(3);
  });

  it('a new segment after appends: its synchronized data write, its index line and the folder sync run in one round; the previous segment is closed', async () => {
    const recording = await openNew('stream-a');
    const streamDir = path.join(dataDir, 'streams', 'stream-a');
    const gop = toUnits(streamMessages(4, 2)); // init, IDR, P, IDR, P
    const writeReleasing = async (unit: (typeof gop)[number]) => {
      const w = track(recording.write(unit));
      while (w.settled === 'no') {
        for (const h of fs.take(() => true)) h.release();
        await tick();
      }
      expect(w.settled).toBe('resolved');
    };
    for (const unit of gop.slice(0, 3)) await writeReleasing(unit);
    const firstSegment = path.join(streamDir, (await readFile(path.join(streamDir, 'index.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { file: string })[1]!.file);
    expect(await descriptorsOn(firstSegment)).toBe(1); // kept open for the appends

    const rollover = track(recording.write(gop[3]));
    await until(() => fs.held.length === 3, 'the three operations of a new segment');
    const held = fs.held.map((h) => ({ file: path.relative(streamDir, h.file) || '.', op: h.op })).sort((a, b) => a.file.localeCompare(b.file));
    expect(held).toEqual([
      { file: '.', op: 'datasync' },
      { file: expect.stringMatching(/^000000000004-.*\.m4s$/), op: 'write' },
      { file: 'index.jsonl', op: 'write' },
    ]);
    expect(await descriptorsOn(firstSegment)).toBe(0); // closed in the same round
    await tick();
    expect(rollover.settled).toBe('no');
    for (const h of fs.take(() => true)) h.release();
    await until(() => rollover.settled !== 'no', 'the new segment');
    expect(rollover.settled).toBe('resolved');
    await writeReleasing(gop[4]);
    await recording.close();
    const index = (await readFile(path.join(streamDir, 'index.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(index.map((e) => e.type)).toEqual(['init', 'segment', 'segment']);
    expect((await repairRecording(streamDir, nodeRecordingFs)).resume.lastSequence).toBe(5);
  });

  it('a failed shared sync of streams/ fails only the streams whose entries it covered; they retry', async () => {
    const a = await openNew('stream-a');
    const b = await openNew('stream-b');
    const streamsDir = path.join(dataDir, 'streams');

    const writeA = track(a.write(units[0]));
    await until(() => fs.held.filter((h) => h.file === streamsDir).length === 1, 'the sync of streams/ for a');
    const writeB = track(b.write(units[0])); // while a's sync of streams/ runs: b waits for the next one
    await until(() => fs.held.some((h) => h.file.endsWith('stream-b/index.jsonl')), 'b\'s syncs');
    await tick();
    expect(fs.held.filter((h) => h.file === streamsDir)).toHaveLength(1);

    for (const h of fs.take((f) => f === streamsDir)) h.fail(Object.assign(new Error('EIO: injected'), { code: 'EIO' }));
    for (const h of fs.take((f) => f.includes('stream-a'))) h.release();
    await until(() => writeA.settled !== 'no', 'a\'s write');
    expect(writeA.settled).toBe('rejected');
    expect(String(writeA.error)).toContain('EIO');

    // b's own sync of streams/ started after a's ended; b is not affected by a's failure
    await until(() => fs.held.filter((h) => h.file === streamsDir).length === 1, 'the next sync of streams/');
    expect(writeB.settled).toBe('no');
    for (const h of fs.take(() => true)) h.release();
    await until(() => writeB.settled !== 'no', 'b\'s write');
    expect(writeB.settled).toBe('resolved');

    // a retries the same unit: its entries are synced again, then it counts
    const retryA = track(a.write(units[0]));
    await until(() => fs.held.length === 4, 'a\'s retry syncs');
    expect(fs.held.some((h) => h.file === streamsDir)).toBe(true);
    await tick();
    expect(retryA.settled).toBe('no');
    for (const h of fs.take(() => true)) h.release();
    await until(() => retryA.settled !== 'no', 'a\'s retry');
    expect(retryA.settled).toBe('resolved');
    await Promise.all([a.close(), b.close()]);
    const indexA = (await readFile(path.join(streamsDir, 'stream-a', 'index.jsonl'), 'utf8')).trim().split('\n');
    expect(indexA).toHaveLength(1); // the retry rewrote the same index line at the same offset
  });

  it('an existing folder is repaired and resumed, not created again', async () => {
    const first = await openNew('stream-a');
    const w = track(first.write(units[0]));
    await until(() => fs.held.length === 4, 'syncs');
    for (const h of fs.take(() => true)) h.release();
    await until(() => w.settled === 'resolved', 'the init write');
    await first.close();
    const reopening = store.open(meta('stream-a'));
    const again = track(reopening);
    await until(() => again.settled !== 'no', 'the reopen');
    expect(again.settled).toBe('resolved');
    expect(fs.held).toEqual([]); // meta.json exists: nothing written, nothing synced
    const reopened = await reopening;
    expect(reopened.resume.lastSequence).toBe(1);
    await reopened.close();
  });
});
