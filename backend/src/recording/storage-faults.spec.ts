import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseFragment } from '@vigil/fmp4';
import { decodeMediaMessage, parseServerToSentinel } from '@vigil/protocol';
import { RecordingStore } from './recording-store';
import { RecordingFile, RecordingFs, RecordingOpenFlags, isSynchronized, nodeRecordingFs } from './recording-fs';
import { scanSegment } from './torn-tail';
import { repairRecording } from './recording-repair';
import { StreamRegistry, StreamWriterFactory } from '../relay/stream-registry';
import { SentinelLink, SentinelSession } from '../relay/sentinel-session';
import { fragmentMessage, initMessage, streamMessages } from '../testing/media-fixtures';
import { storeWriters, testRegistryOptions } from '../testing/registry-options';
import { waitUntil } from '../testing/wait-until';

/**
 * Storage faults injected through the {@link RecordingFs} seam, under the real relay core
 * (Sentinel session, live stream, registry) and real files: a failing or short write is never
 * acknowledged, the live relay goes on, the writer retries, and once writing works again the
 * recording holds every fragment with no hole.
 */

type Op = 'write' | 'datasync' | 'open';

/** A real file system whose next operations can be made to fail or store fewer bytes. */
class FaultyFs implements RecordingFs {
  /** While set, every operation of these kinds fails with this errno code. */
  failing: { ops: Op[]; code: string } | null = null;
  /** Writes left that store only half of what they are given (short writes). */
  shortWrites = 0;
  faults = 0;
  /** Files opened through this seam and not closed yet. */
  openFiles = 0;

  private check(op: Op): void {
    if (this.failing?.ops.includes(op)) {
      this.faults++;
      throw Object.assign(new Error(`${this.failing.code}: injected ${op} failure`), { code: this.failing.code });
    }
  }

  async open(file: string, flags: RecordingOpenFlags): Promise<RecordingFile> {
    this.check('open');
    const real = await nodeRecordingFs.open(file, flags);
    this.openFiles++;
    return {
      write: async (buffer, offset, length, position) => {
        this.check('write');
        if (isSynchronized(flags)) this.check('datasync'); // a synchronized write includes the sync
        if (this.shortWrites > 0 && length > 1) {
          this.shortWrites--;
          return real.write(buffer, offset, Math.floor(length / 2), position);
        }
        return real.write(buffer, offset, length, position);
      },
      datasync: async () => {
        this.check('datasync');
        return real.datasync();
      },
      truncate: (length) => real.truncate(length),
      size: () => real.size(),
      close: () => {
        this.openFiles--;
        return real.close();
      },
    };
  }
}

describe('recording under storage faults', () => {
  let dataDir: string;
  let fs: FaultyFs;
  let registry: StreamRegistry;
  let writers: StreamWriterFactory;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'vigil-faults-'));
    fs = new FaultyFs();
    const store = new RecordingStore(dataDir, true, fs);
    registry = new StreamRegistry(testRegistryOptions({ writeRetryDelayMs: () => 20, pendingWriteBytes: 64 << 20 }));
    writers = storeWriters(store);
  });

  afterEach(async () => {
    fs.failing = null;
    await registry.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  function connect() {
    const texts: ReturnType<typeof parseServerToSentinel>[] = [];
    const closes: number[] = [];
    const link: SentinelLink = { sendText: (t) => texts.push(parseServerToSentinel(t)), close: (code) => closes.push(code) };
    const session = new SentinelSession(link, registry, writers);
    const acked = () => Math.max(0, ...texts.map((t) => (t.type === 'ack' ? t.sequence : 0)));
    return { session, texts, closes, acked };
  }

  async function hello(s: ReturnType<typeof connect>, streamId?: string) {
    await s.session.handleText(
      JSON.stringify({ type: 'hello', protocol: 1, token: 't', examId: 'exam', seatId: 'seat', encoder: 'webcodecs', userAgent: 'test', capabilities: { encoders: [] }, ...(streamId ? { streamId } : {}) }),
    );
    const welcome = s.texts.find((t) => t.type === 'welcome');
    if (welcome?.type !== 'welcome') throw new Error('no welcome');
    return welcome;
  }

  /** Every fragment sequence number in the stream folder's segment files, in file order. */
  async function fragmentsOnDisk(streamId: string): Promise<number[]> {
    const dir = path.join(dataDir, 'streams', streamId);
    const out: number[] = [];
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.m4s')).sort()) {
      const data = new Uint8Array(await readFile(path.join(dir, file)));
      const scan = scanSegment(data);
      expect(scan.completeBytes).toBe(data.byteLength); // no torn or duplicated tail
      let offset = 0;
      while (offset < data.byteLength) {
        const one = scanSegment(data.subarray(offset));
        const first = parseFragment(data.subarray(offset, offset + one.firstFragmentEnd));
        out.push(first.sequenceNumber);
        offset += one.firstFragmentEnd;
      }
    }
    return out;
  }

  it('ENOSPC: stops acking, marks storage-failed, keeps relaying live, retries, then records every fragment with no hole', async () => {
    const s = connect();
    const welcome = await hello(s);
    const stream = registry.get(welcome.streamId)!;
    const live: number[] = [];
    stream.units$.subscribe((u) => live.push(u.sequence));
    const messages = streamMessages(30, 10);
    for (const m of messages.slice(0, 10)) s.session.handleBinary(m);
    await waitUntil(() => s.acked() === 10, 'acks up to 10');

    fs.failing = { ops: ['write'], code: 'ENOSPC' };
    for (const m of messages.slice(10, 20)) s.session.handleBinary(m);
    await waitUntil(() => stream.storage === 'storage-failed', 'storage-failed');
    await new Promise((r) => setTimeout(r, 100)); // several retries fail
    expect(s.acked()).toBe(10); // nothing acked that is not durable
    expect(live.at(-1)).toBe(20); // the live relay went on
    expect(stream.summary(Date.now()).storage).toBe('storage-failed');
    expect(s.closes).toEqual([]); // the Sentinel keeps its connection and its backlog
    // and is told why no acks come (a non-fatal notice, so its silence watchdog does not reconnect)
    expect(s.texts.filter((t) => t.type === 'error')).toEqual([expect.objectContaining({ code: 'server-busy', fatal: false, message: expect.stringMatching(/cannot store the recording/) })]);

    fs.failing = null; // space freed
    for (const m of messages.slice(20)) s.session.handleBinary(m);
    await waitUntil(() => s.acked() === 31, 'acks up to 31');
    expect(stream.storage).toBe('ok');
    expect(await fragmentsOnDisk(welcome.streamId)).toEqual(Array.from({ length: 30 }, (_, i) => i + 2));
  });

  it("a new stream's folder setup that fails (ENOSPC on meta.json) refuses the hello, leaves no file open, and the next hello records", async () => {
    fs.failing = { ops: ['write'], code: 'ENOSPC' }; // meta.json's write fails
    const s1 = connect();
    await s1.session.handleText(
      JSON.stringify({ type: 'hello', protocol: 1, token: 't', examId: 'exam', seatId: 'seat', encoder: 'webcodecs', userAgent: 'test', capabilities: { encoders: [] } }),
    );
    expect(s1.texts.map((t) => t.type)).toEqual(['error']);
    expect(s1.texts[0]).toMatchObject({ code: 'internal', fatal: true, message: expect.stringContaining('ENOSPC') });
    expect(s1.closes).toHaveLength(1);
    expect(fs.faults).toBeGreaterThan(0);
    expect(fs.openFiles).toBe(0); // nothing opened for it is left open
    expect(registry.list()).toEqual([]);

    fs.failing = null;
    const s2 = connect();
    const welcome = await hello(s2);
    for (const m of streamMessages(3, 3)) s2.session.handleBinary(new Uint8Array(m));
    await waitUntil(() => s2.acked() === 4, 'acks up to 4');
    expect(await fragmentsOnDisk(welcome.streamId)).toEqual([2, 3, 4]);
    expect(JSON.parse(await readFile(path.join(dataDir, 'streams', welcome.streamId, 'meta.json'), 'utf8'))).toMatchObject({ streamId: welcome.streamId, seatId: 'seat' });
  });

  it('EIO on fdatasync: the unit is rewritten from memory and only then acked', async () => {
    const s = connect();
    const welcome = await hello(s);
    const messages = streamMessages(12, 6);
    for (const m of messages.slice(0, 4)) s.session.handleBinary(m);
    await waitUntil(() => s.acked() === 4, 'acks up to 4');
    fs.failing = { ops: ['datasync'], code: 'EIO' };
    s.session.handleBinary(messages[4]);
    await waitUntil(() => fs.faults >= 3, 'three failed syncs');
    expect(s.acked()).toBe(4);
    fs.failing = null;
    for (const m of messages.slice(5)) s.session.handleBinary(m);
    await waitUntil(() => s.acked() === 13, 'acks up to 13');
    expect(await fragmentsOnDisk(welcome.streamId)).toEqual(Array.from({ length: 12 }, (_, i) => i + 2));
  });

  it('a short write is continued: the whole fragment is on disk before its ack, never cut off later', async () => {
    const s = connect();
    const welcome = await hello(s);
    fs.shortWrites = 5;
    const messages = streamMessages(8, 4, 5, 5000);
    for (const m of messages) s.session.handleBinary(m);
    await waitUntil(() => s.acked() === 9, 'acks up to 9');
    expect(fs.shortWrites).toBe(0);
    const dir = path.join(dataDir, 'streams', welcome.streamId);
    const before = await Promise.all((await readdir(dir)).filter((f) => f.endsWith('.m4s')).map((f) => readFile(path.join(dir, f))));
    // recovery (as after a restart) keeps every acknowledged byte
    const repaired = await repairRecording(dir, nodeRecordingFs);
    expect(repaired.mended.trimmedBytes).toBe(0);
    expect(repaired.resume.lastSequence).toBe(9);
    const after = await Promise.all((await readdir(dir)).filter((f) => f.endsWith('.m4s')).map((f) => readFile(path.join(dir, f))));
    expect(after).toEqual(before);
    expect(await fragmentsOnDisk(welcome.streamId)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('a short write then an error is not acked; the retry writes the whole fragment at the same offset', async () => {
    const s = connect();
    const welcome = await hello(s);
    const messages = streamMessages(6, 3, 5, 4000);
    for (const m of messages.slice(0, 4)) s.session.handleBinary(m);
    await waitUntil(() => s.acked() === 4, 'acks up to 4');
    // the next fragment (a join fragment: a new segment file) is written half, then the rest fails, and the write of the rest fails with EIO
    const original = fs.open.bind(fs);
    let step: 'short' | 'fail' | 'done' = 'short';
    fs.open = async (file, flags) => {
      const handle = await original(file, flags);
      return {
        ...handle,
        write: async (b, o, l, p) => {
          if (step === 'short' && l > 1000) {
            step = 'fail';
            return handle.write(b, o, Math.floor(l / 2), p);
          }
          if (step === 'fail') {
            step = 'done';
            throw Object.assign(new Error('EIO: injected after a short write'), { code: 'EIO' });
          }
          return handle.write(b, o, l, p);
        },
      };
    };
    s.session.handleBinary(messages[4]);
    await waitUntil(() => step === 'done', 'the injected short write and failure');
    expect(s.acked()).toBe(4);
    for (const m of messages.slice(5)) s.session.handleBinary(m);
    await waitUntil(() => s.acked() === 7, 'acks up to 7');
    expect(await fragmentsOnDisk(welcome.streamId)).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('the disk falls behind past the pending-write cap: the Sentinel is asked to resend, and the recording is complete', async () => {
    await registry.close();
    registry = new StreamRegistry(testRegistryOptions({ writeRetryDelayMs: () => 20, pendingWriteBytes: 12_000 }));
    const first = connect();
    const welcome = await hello(first);
    const messages = streamMessages(40, 10);
    for (const m of messages.slice(0, 5)) first.session.handleBinary(m);
    await waitUntil(() => first.acked() === 5, 'acks up to 5');
    fs.failing = { ops: ['write'], code: 'ENOSPC' };
    for (const m of messages.slice(5, 30)) first.session.handleBinary(m); // ~1.1 kB each: the cap holds ~10
    await waitUntil(() => registry.get(welcome.streamId)!.storage === 'storage-failed', 'storage-failed');
    expect(first.acked()).toBe(5);
    fs.failing = null;
    // once the queued units are durable the server closes the connection: resend from the ack
    await waitUntil(() => first.closes.length === 1, 'resend request');
    const lastAck = first.acked();
    expect(first.texts.at(-1)).toMatchObject({ type: 'error', code: 'server-busy', fatal: true });
    expect(registry.get(welcome.streamId)!.lastReceivedSequence).toBe(30); // init + 29 fragments: all of it was relayed live meanwhile
    // the Sentinel reconnects and resends its backlog, then goes on live; a resend burst larger
    // than the cap takes more than one round (each round makes the disk catch up by ~the cap)
    let rounds = 0;
    let acked = 0;
    while (acked < 41) {
      expect(++rounds).toBeLessThan(10);
      const next = connect();
      const again = await hello(next, welcome.streamId);
      expect(again.lastAckedSequence).toBeGreaterThanOrEqual(lastAck); // writes queued before a close still finish
      // fresh buffers: the server stamps the channel into what it relays
      for (const m of streamMessages(40, 10).slice(again.lastAckedSequence)) next.session.handleBinary(m);
      await waitUntil(() => next.acked() === 41 || next.closes.length > 0, 'all acked or another resend request');
      acked = next.acked();
    }
    expect(rounds).toBeGreaterThan(1);
    expect(await fragmentsOnDisk(welcome.streamId)).toEqual(Array.from({ length: 40 }, (_, i) => i + 2));
  });
});

describe('crash recovery of a stream folder', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vigil-repair-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const payload = (message: Uint8Array) => decodeMediaMessage(message).payload;

  async function writeRecording(): Promise<void> {
    // init 1; segment 2..6 (join at 2); segment 7..9 (join at 7)
    const store = new RecordingStore(dir, false);
    const rec = await store.open({ streamId: 's1', examId: 'e', seatId: 's', encoder: 'webcodecs', userAgent: 'x', createdAtMs: 1 });
    const { toUnits } = await import('../testing/media-fixtures');
    const units = toUnits([initMessage(1), ...Array.from({ length: 8 }, (_, i) => fragmentMessage(i + 2, i, { join: i === 0 || i === 5 }))]);
    for (const u of units) await rec.write(u);
    await rec.close();
  }

  it('a torn first fragment of the newest segment (kill -9 mid-write) resumes at the previous segment\'s last fragment, not the init', async () => {
    await writeRecording();
    const sdir = path.join(dir, 'streams', 's1');
    const files = (await readdir(sdir)).filter((f) => f.endsWith('.m4s')).sort();
    // the newest segment holds only half of its first fragment
    const half = payload(fragmentMessage(7, 5, { join: true }));
    await writeFile(path.join(sdir, files[1]), half.subarray(0, half.byteLength >> 1));
    const repaired = await repairRecording(sdir, nodeRecordingFs);
    expect(repaired.resume.lastSequence).toBe(6);
    expect(repaired.mended.removedFiles).toEqual([files[1]]);
    expect(repaired.index.filter((e) => e.type === 'segment').map((e) => e.file)).toEqual([files[0]]);
    expect((await readFile(path.join(sdir, 'index.jsonl'), 'utf8')).split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('indexes a segment file the index does not list (crash between the file and its index line), and drops a torn index line', async () => {
    await writeRecording();
    const sdir = path.join(dir, 'streams', 's1');
    const lines = (await readFile(path.join(sdir, 'index.jsonl'), 'utf8')).split('\n').filter(Boolean);
    await writeFile(path.join(sdir, 'index.jsonl'), lines.slice(0, 2).join('\n') + '\n{"type":"seg');
    const repaired = await repairRecording(sdir, nodeRecordingFs);
    expect(repaired.mended.addedEntries).toBe(1);
    expect(repaired.mended.rewroteIndex).toBe(true);
    expect(repaired.resume.lastSequence).toBe(9);
    const rebuilt = (await readFile(path.join(sdir, 'index.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(rebuilt.map((e) => [e.type, e.sequence])).toEqual([['init', 1], ['segment', 2], ['segment', 7]]);
    expect(rebuilt[2]).toMatchObject({ join: true, decodeTime: 5 * 18000, init: '000000000001-init.mp4' });
    // idempotent
    const again = await repairRecording(sdir, nodeRecordingFs);
    expect(again.mended).toEqual({ trimmedBytes: 0, removedFiles: [], addedEntries: 0, droppedEntries: 0, rewroteIndex: false });
  });

  it('trims a torn tail to the last complete fragment', async () => {
    await writeRecording();
    const sdir = path.join(dir, 'streams', 's1');
    const files = (await readdir(sdir)).filter((f) => f.endsWith('.m4s')).sort();
    const extra = payload(fragmentMessage(10, 8));
    const full = await readFile(path.join(sdir, files[1]));
    await writeFile(path.join(sdir, files[1]), Buffer.concat([full, extra.subarray(0, 100)]));
    const repaired = await repairRecording(sdir, nodeRecordingFs);
    expect(repaired.mended.trimmedBytes).toBe(100);
    expect(repaired.resume.lastSequence).toBe(9);
    expect((await readFile(path.join(sdir, files[1]))).equals(full)).toBe(true);
  });
});
