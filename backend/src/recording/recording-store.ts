import { mkdir, open, readFile, readdir, rename, rm, stat, FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { parseFragment } from '@vigil/fmp4';
import type { MediaUnit, FragmentUnit, InitUnit } from '../relay/media-unit';
import type { GapRecord, UnitWriter } from '../relay/live-stream';
import {
  IndexEntry,
  RECORDING_FILE_PATTERN,
  StreamMeta,
  assertSafeStreamId,
  initFileName,
  segmentFileName,
} from './recording-layout';
import { RecordingFile, RecordingFs, nodeRecordingFs, syncDirectory, writeFully } from './recording-fs';
import { RepairedRecording, ResumePoint, readIndexFile, repairRecording } from './recording-repair';
import { RecordingTimeline } from './recording-timeline';
import { scanSegment } from './torn-tail';
import { CoalescedSync } from './coalesced-sync';

/**
 * Waits for every promise (none is left running: a file handle is not closed under a pending
 * sync), then throws the first rejection, if any.
 */
async function allOrFirstError(work: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
}

/** What {@link repairRecording} finds in a folder that was just created: nothing. */
function emptyRecording(): RepairedRecording {
  return {
    resume: { lastSequence: 0, init: null, lastDecodeTime: -1 },
    index: [],
    lastSegment: null,
    mended: { trimmedBytes: 0, removedFiles: [], addedEntries: 0, droppedEntries: 0, rewroteIndex: false },
  };
}

/** Recordings whose parsed index is kept in memory for time-range queries (least recently used out). */
export const TIMELINE_CACHE_STREAMS = 256;

export type { ResumePoint } from './recording-repair';

/** What a recording folder held: see {@link RecordingStore.manifest}. */
export interface RecordingManifest {
  files: { name: string; bytes: number }[];
  /** Total bytes. */
  bytes: number;
  /** SHA-256 over every file's bytes in name order, hex. */
  sha256: string;
}

/** What {@link RecordingStore.recoverAll} did at start-up. */
export interface RecoverySummary {
  /** Stream folders scanned. */
  scanned: number;
  /** Folders that needed mending (torn tail, removed files, index rebuilt), by stream id. */
  mended: { streamId: string; mended: RepairedRecording['mended']; lastSequence: number }[];
  /** Folders that could not be scanned, with the error text (logged; the stream is refused until fixed). */
  failed: { streamId: string; error: string }[];
}

/** A run of segments that decode with one init segment: one playable fMP4 file. */
export interface RecordingPart {
  init: Extract<IndexEntry, { type: 'init' }>;
  segments: Extract<IndexEntry, { type: 'segment' }>[];
}

/**
 * The recordings folder (I/O). One folder per stream under `<dataDir>/streams/`,
 * laid out as described in recording-layout.ts.
 */
export class RecordingStore {
  readonly streamsDir: string;
  private readonly timelines = new Map<string, { ino: number; bytes: number; rest: string; timeline: RecordingTimeline }>();
  private readonly mediaEnds = new Map<string, { size: number; end: number }>();
  /** fsync of `streams/` (new stream folders' entries), shared by the streams opened at about the same time. */
  private readonly streamsDirSync: CoalescedSync;

  /**
   * @param dataDir root data folder (created if missing)
   * @param fsync when true every write is followed by fdatasync before it counts as durable
   * @param fs the write path's file operations (tests inject faults here)
   */
  constructor(
    dataDir: string,
    private readonly fsync: boolean,
    private readonly fs: RecordingFs = nodeRecordingFs,
  ) {
    this.streamsDir = path.resolve(dataDir, 'streams');
    this.streamsDirSync = new CoalescedSync(() => syncDirectory(this.fs, this.streamsDir));
  }

  /** @throws TypeError for an unsafe stream id */
  streamDir(streamId: string): string {
    assertSafeStreamId(streamId);
    return path.join(this.streamsDir, streamId);
  }

  /**
   * Opens (creating or resuming) a stream's recording. An existing folder is repaired first
   * ({@link repairRecording}: torn tail trimmed, index rebuilt from the files where they
   * disagree), so the stream resumes at its last durable fragment.
   *
   * A new folder (issue 10, the cost of a join) is created with `meta.json` (written to a
   * temporary file, fdatasync'ed, renamed) and an empty `index.jsonl`, and is not scanned.
   * The directory entries of the new folder and of those two files are made durable by the
   * first write of the recording (its sync round includes the folder's fsync and a shared
   * fsync of `streams/`, see {@link StreamRecording}), so they are durable before anything
   * is acknowledged, without a sync round of their own before `welcome`.
   * @throws the file system's error when the folder cannot be created, read or repaired
   */
  async open(meta: StreamMeta): Promise<StreamRecording> {
    const dir = this.streamDir(meta.streamId);
    const created = await this.createFolder(dir);
    const metaPath = path.join(dir, 'meta.json');
    const existing = created ? null : await readFile(metaPath, 'utf8').catch(() => null);
    let newIndex: RecordingFile | null = null;
    if (existing === null) {
      const tmp = metaPath + '.tmp';
      const handle = await this.fs.open(tmp, 'w');
      try {
        await writeFully(handle, Buffer.from(JSON.stringify(meta, null, 2) + '\n'), 0);
        if (this.fsync) await handle.datasync();
      } finally {
        await handle.close();
      }
      await rename(tmp, metaPath);
      // an empty index now, so one sync of the folder makes it durable with meta.json
      const indexPath = path.join(dir, 'index.jsonl');
      // a new folder's index stays open for the recording's first writes (one open less per join)
      if (created) newIndex = await this.fs.open(indexPath, this.fsync ? 'wdsync' : 'w');
      else if (!(await stat(indexPath).then(() => true, () => false))) await (await this.fs.open(indexPath, 'w')).close();
      if (!created && this.fsync) {
        // an old folder without meta.json (a crash while it was being created): synced now
        await allOrFirstError([syncDirectory(this.fs, dir), this.streamsDirSync.request()]);
      }
    }
    try {
      const repaired = created ? emptyRecording() : await repairRecording(dir, this.fs);
      const recording = new StreamRecording(dir, this.fsync, this.fs, repaired, created && this.fsync ? () => this.streamsDirSync.request() : null);
      await recording.openLogs(newIndex ?? undefined);
      return recording;
    } catch (e) {
      await newIndex?.close().catch(() => undefined);
      throw e;
    }
  }

  /**
   * Creates a stream folder. @returns true when this call created it, false when it existed
   * @throws the file system's error
   */
  private async createFolder(dir: string): Promise<boolean> {
    try {
      await mkdir(dir);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'ENOENT') throw e;
    }
    await mkdir(this.streamsDir, { recursive: true }); // the first stream of a new data folder
    return (await mkdir(dir, { recursive: true })) !== undefined;
  }

  /**
   * Start-up scan: repairs every stream folder (see {@link repairRecording}) before the
   * server accepts connections, so each Sentinel that reconnects resumes at its last durable
   * fragment. One folder's failure is reported, not thrown.
   */
  async recoverAll(): Promise<RecoverySummary> {
    const names = await readdir(this.streamsDir).catch(() => [] as string[]);
    const summary: RecoverySummary = { scanned: 0, mended: [], failed: [] };
    for (const name of names.sort()) {
      let dir: string;
      try {
        dir = this.streamDir(name);
      } catch {
        continue; // not a stream folder of ours
      }
      summary.scanned++;
      try {
        const repaired = await repairRecording(dir, this.fs);
        const m = repaired.mended;
        if (m.trimmedBytes > 0 || m.removedFiles.length > 0 || m.rewroteIndex) {
          summary.mended.push({ streamId: name, mended: m, lastSequence: repaired.resume.lastSequence });
        }
      } catch (e) {
        summary.failed.push({ streamId: name, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return summary;
  }

  /** Every stream folder's meta.json, newest first. */
  async listRecordings(): Promise<StreamMeta[]> {
    const names = await readdir(this.streamsDir).catch(() => [] as string[]);
    const metas: StreamMeta[] = [];
    for (const name of names) {
      const text = await readFile(path.join(this.streamsDir, name, 'meta.json'), 'utf8').catch(() => null);
      if (text) metas.push(JSON.parse(text) as StreamMeta);
    }
    return metas.sort((a, b) => b.createdAtMs - a.createdAtMs);
  }

  async readMeta(streamId: string): Promise<StreamMeta | null> {
    const text = await readFile(path.join(this.streamDir(streamId), 'meta.json'), 'utf8').catch(() => null);
    return text ? (JSON.parse(text) as StreamMeta) : null;
  }

  /**
   * Appends one line to a recorded stream's `events.jsonl` (the stream's writer may be open or
   * closed: both append with O_APPEND, so whole lines never interleave). Only for a stream that
   * has a recording (its `meta.json`): nothing is created for an unknown id.
   * @param line one JSON object, without the newline
   * @param durable fdatasync before resolving (when the store syncs at all)
   * @returns false when there is no such recording
   * @throws TypeError for an unsafe stream id; the file system's error
   */
  async appendEvent(streamId: string, line: string, durable: boolean): Promise<boolean> {
    const dir = this.streamDir(streamId);
    if ((await stat(path.join(dir, 'meta.json')).catch(() => null)) === null) return false;
    const handle = await open(path.join(dir, 'events.jsonl'), 'a');
    try {
      await handle.write(line + '\n');
      if (durable && this.fsync) await handle.datasync();
    } finally {
      await handle.close();
    }
    return true;
  }

  /**
   * The text of a stream's `events.jsonl`, at most its last `maxBytes` bytes (a first line cut
   * there is partial: callers skip lines that are not JSON); '' when there is none.
   * @throws TypeError for an unsafe stream id
   */
  async readEvents(streamId: string, maxBytes: number): Promise<{ text: string; cut: boolean }> {
    const file = path.join(this.streamDir(streamId), 'events.jsonl');
    const handle = await open(file, 'r').catch(() => null);
    if (!handle) return { text: '', cut: false };
    try {
      const size = (await handle.stat()).size;
      const length = Math.min(size, maxBytes);
      const buffer = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buffer, done, length - done, size - length + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return { text: buffer.subarray(0, done).toString('utf8'), cut: size > length };
    } finally {
      await handle.close();
    }
  }

  /** Parses `index.jsonl` (init segments, segments and gaps); a torn last line (crash mid-append) is ignored. */
  async readIndex(streamId: string): Promise<IndexEntry[]> {
    return (await readIndexFile(path.join(this.streamDir(streamId), 'index.jsonl'))).entries;
  }

  /**
   * The recording's index as a searchable {@link RecordingTimeline}. Parsed once and kept
   * (for the {@link TIMELINE_CACHE_STREAMS} most recently used recordings); a growing index
   * is read from where the last call stopped (only the appended bytes), a rewritten one
   * (crash repair: a new inode, or shorter) again from the start.
   * @throws TypeError for an unsafe stream id
   */
  async timeline(streamId: string): Promise<RecordingTimeline> {
    const file = path.join(this.streamDir(streamId), 'index.jsonl');
    const info = await stat(file).catch(() => null);
    if (!info) return new RecordingTimeline();
    let cached = this.timelines.get(streamId);
    if (!cached || cached.ino !== info.ino || info.size < cached.bytes) {
      cached = { ino: info.ino, bytes: 0, rest: '', timeline: new RecordingTimeline() };
    }
    this.timelines.delete(streamId); // re-insert: most recently used last
    this.timelines.set(streamId, cached);
    if (this.timelines.size > TIMELINE_CACHE_STREAMS) this.timelines.delete(this.timelines.keys().next().value as string);
    if (info.size > cached.bytes) {
      const handle = await open(file, 'r');
      try {
        const length = info.size - cached.bytes;
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, cached.bytes);
        const text = cached.rest + buffer.subarray(0, bytesRead).toString('utf8');
        const lines = text.split('\n');
        cached.rest = lines.pop() ?? ''; // an incomplete last line waits for the rest
        const entries: IndexEntry[] = [];
        for (const line of lines) {
          if (!line) continue;
          try {
            entries.push(JSON.parse(line) as IndexEntry);
          } catch {
            break; // a torn line: repair rewrites the index at the next open
          }
        }
        cached.timeline.append(entries);
        cached.bytes += bytesRead;
      } finally {
        await handle.close();
      }
    }
    return cached.timeline;
  }

  /**
   * Where a stored segment's media ends: the last complete fragment's `tfdt` plus its
   * duration, 90 kHz ticks (reads the file; remembered per file and size).
   * @throws TypeError for an unsafe id or file name; Error when the file holds no complete fragment
   */
  async segmentMediaEnd(streamId: string, file: string): Promise<number> {
    const full = this.filePath(streamId, file);
    const size = await this.fileSize(full);
    const key = `${streamId}/${file}`;
    const known = this.mediaEnds.get(key);
    if (known && known.size === size) return known.end;
    const data = new Uint8Array(await readFile(full));
    const scan = scanSegment(data);
    if (scan.lastFragmentStart < 0) throw new Error(`${file} holds no complete fragment`);
    const last = parseFragment(data.subarray(scan.lastFragmentStart, scan.completeBytes));
    const end = last.baseMediaDecodeTime + last.duration;
    if (this.mediaEnds.size >= 4096) this.mediaEnds.delete(this.mediaEnds.keys().next().value as string);
    this.mediaEnds.set(key, { size: data.byteLength, end });
    return end;
  }

  /** Groups the index into playable parts (one per init segment). */
  async parts(streamId: string): Promise<RecordingPart[]> {
    const parts: RecordingPart[] = [];
    for (const entry of await this.readIndex(streamId)) {
      if (entry.type === 'init') parts.push({ init: entry, segments: [] });
      else if (entry.type === 'segment') parts.at(-1)?.segments.push(entry);
    }
    return parts;
  }

  /**
   * Absolute path of one recording file.
   * @throws TypeError when the name is not a recording file name (no path tricks)
   */
  filePath(streamId: string, file: string): string {
    if (!RECORDING_FILE_PATTERN.test(file)) throw new TypeError(`not a recording file name: ${file.slice(0, 80)}`);
    return path.join(this.streamDir(streamId), file);
  }

  /**
   * Last time anything was recorded for a stream: the newest index entry's start time,
   * or the stream's creation, ms since the Unix epoch.
   */
  async lastActivityMs(meta: StreamMeta): Promise<number> {
    const last = (await this.readIndex(meta.streamId)).filter((e) => e.type !== 'gap').at(-1);
    const at = last ? (last.type === 'init' ? last.atMs : last.type === 'segment' ? last.startMs : 0) : meta.createdAtMs;
    return Math.max(meta.createdAtMs, at);
  }

  /**
   * What a recording folder holds, for a deletion record: every file's name and size, their
   * total, and one SHA-256 (FIPS 180-4) over the files' bytes in name order, so the record
   * proves which bytes were removed. Reads every file once (streamed).
   * @throws TypeError for an unsafe stream id
   */
  async manifest(streamId: string): Promise<RecordingManifest> {
    const dir = this.streamDir(streamId);
    const names = (await readdir(dir).catch(() => [] as string[])).sort();
    const hash = createHash('sha256');
    const files: { name: string; bytes: number }[] = [];
    for (const name of names) {
      const full = path.join(dir, name);
      const info = await stat(full).catch(() => null);
      if (!info?.isFile()) continue;
      const source = createReadStream(full);
      for await (const chunk of source) hash.update(chunk as Buffer);
      files.push({ name, bytes: info.size });
    }
    return { files, bytes: files.reduce((sum, f) => sum + f.bytes, 0), sha256: hash.digest('hex') };
  }

  /**
   * Deletes a stream's whole recording folder (retention, an admin's delete). Idempotent.
   * @throws TypeError for an unsafe stream id
   */
  async deleteRecording(streamId: string): Promise<void> {
    await rm(this.streamDir(streamId), { recursive: true, force: true });
  }

  /** Size of a file in bytes, or null when missing. */
  async fileSize(file: string): Promise<number | null> {
    return stat(file).then((s) => s.size).catch(() => null);
  }
}

/**
 * One stream's recording: the {@link UnitWriter} at the end of the segment pipeline.
 * Writes arrive one at a time, in sequence order (concatMap upstream).
 *
 * Every write is positional (the file offset is ours, not the kernel's append position) and
 * complete before it counts: a short write is continued, a failed write or fdatasync leaves
 * the durable sizes unchanged, and the caller retries the same unit, which rewrites the same
 * bytes at the same offsets from memory (after a failed fdatasync the page cache cannot be
 * trusted: the handle is reopened). A unit counts as durable only when its bytes, its index
 * line for a new file, and the directory entry of a new file are synced.
 */
export class StreamRecording implements UnitWriter {
  /** The segment file fragments are appended to, with its durable size in bytes. */
  private segment: { file: string; handle: RecordingFile | null; bytes: number } | null;
  /** index.jsonl with its durable size in bytes. */
  private index: { handle: RecordingFile | null; bytes: number } = { handle: null, bytes: 0 };
  /** The stream folder, open for its fsyncs ({@link syncFolder}), or null until needed. */
  private folder: { handle: RecordingFile | null } = { handle: null };
  private eventsHandle: FileHandle | null = null;
  /** The last write of events.jsonl asked for ({@link inEventOrder}). */
  private eventWrites: Promise<void> = Promise.resolve();
  private initFile: string | null;
  private closed = false;
  readonly resume: ResumePoint;
  /**
   * Syncs of directory entries the folder's creation left to the first write (see
   * {@link RecordingStore.open}): the folder's own (meta.json, index.jsonl) and `streams/`'s
   * (the folder itself); null once done, or when there are none.
   */
  private pendingEntries: (() => Promise<void>)[] | null;

  /**
   * @param syncParentEntry for a folder just created (with fsync on): syncs `streams/`, so the
   *   folder's entry is durable with the first write (the folder's own fsync is added then too)
   */
  constructor(
    readonly dir: string,
    private readonly fsync: boolean,
    private readonly fs: RecordingFs,
    repaired: RepairedRecording,
    syncParentEntry: (() => Promise<void>) | null = null,
  ) {
    this.pendingEntries = syncParentEntry ? [() => this.syncFolder(), syncParentEntry] : null;
    this.resume = repaired.resume;
    const lastInit = repaired.index.filter((e) => e.type === 'init').at(-1);
    this.initFile = lastInit?.file ?? null;
    const last = repaired.lastSegment;
    // non-join fragments after a restart continue the newest segment, unless an init segment followed it
    this.segment = last && (!lastInit || last.file > lastInit.file) ? { file: last.file, handle: null, bytes: last.bytes } : null;
  }

  /**
   * Opens the logs. Called once by {@link RecordingStore.open}.
   * @param newIndex the handle of an empty index.jsonl the caller just created (a new folder), taken over
   */
  async openLogs(newIndex?: RecordingFile): Promise<void> {
    const indexPath = path.join(this.dir, 'index.jsonl');
    const size = newIndex ? 0 : await stat(indexPath).then((s) => s.size).catch(() => -1);
    if (size < 0) {
      await (await this.fs.open(indexPath, 'w')).close();
      if (this.fsync) await syncDirectory(this.fs, this.dir);
    }
    this.index = { handle: newIndex ?? null, bytes: Math.max(0, size) };
    this.eventsHandle = await open(path.join(this.dir, 'events.jsonl'), 'a');
  }

  /**
   * Writes one unit durably. On any error nothing counts as written: call again with the
   * same unit to retry (see the class comment).
   * @throws the file system's error (ENOSPC, EIO, …) or Error when closed / no init segment yet
   */
  async write(unit: MediaUnit): Promise<void> {
    if (this.closed) throw new Error('recording is closed');
    if (unit.kind === 'init') await this.writeInit(unit);
    else await this.writeFragment(unit);
  }

  /** Records a hole in the recording in index.jsonl (durable like a unit; retry on error). */
  async writeGap(gap: GapRecord): Promise<void> {
    if (this.closed) throw new Error('recording is closed');
    await this.appendIndex({ type: 'gap', sequence: gap.afterSequence, fromMs: gap.fromMs, toMs: gap.toMs, reason: gap.reason, source: gap.source });
  }

  /** Appends one application event (connect, disconnect, fps change, keyframe request…). Best effort. */
  async logEvent(event: Record<string, unknown> & { type: string }): Promise<void> {
    const handle = this.eventsHandle;
    if (!handle || this.closed) return;
    const line = JSON.stringify({ atMs: Date.now(), ...event }) + '\n';
    await this.inEventOrder(() => handle.write(line));
  }

  /**
   * Runs one write of events.jsonl after the ones asked for before it: concurrent writes to one
   * file handle go to the thread pool and may land in either order; the track keeps call order.
   * A failed write does not stop the ones after it (its caller gets the error).
   */
  private inEventOrder<T>(write: () => Promise<T>): Promise<T> {
    const run = this.eventWrites.then(write);
    this.eventWrites = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Appends one ready line (an event of the event track, `stream-events/event-track.ts`).
   * @param durable fdatasync before resolving (when the store syncs)
   * @returns false when the recording is closed (append through {@link RecordingStore.appendEvent} then)
   */
  async appendEventLine(line: string, durable: boolean): Promise<boolean> {
    const handle = this.eventsHandle;
    if (!handle || this.closed) return false;
    await this.inEventOrder(() => handle.write(line + '\n'));
    if (durable && this.fsync) await handle.datasync();
    return true;
  }

  /** Closes every file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const handles = [this.segment?.handle, this.index.handle, this.folder.handle];
    this.segment = null;
    this.index.handle = null;
    this.folder.handle = null;
    await Promise.all(handles.map((h) => h?.close().catch(() => undefined)));
    await this.eventsHandle?.close().catch(() => undefined);
  }

  private async writeInit(unit: InitUnit): Promise<void> {
    const file = initFileName(unit.sequence);
    const previous = this.segment;
    const handle = await this.writeNewFile(
      file,
      unit.payload,
      { type: 'init', sequence: unit.sequence, file, width: unit.width, height: unit.height, codec: unit.codec, atMs: unit.receivedAtMs },
      previous ? () => this.dropHandle(previous) : null,
    );
    this.initFile = file;
    this.segment = null; // the next fragment starts a segment of this init segment
    await handle.close();
  }

  private async writeFragment(unit: FragmentUnit): Promise<void> {
    if (!this.initFile) throw new Error('fragment before any init segment');
    const current = this.segment;
    if (!unit.join && current) {
      try {
        // with fsync the append is one synchronized write (O_DSYNC): durable when it resolves
        current.handle ??= await this.fs.open(path.join(this.dir, current.file), this.fsync ? 'r+dsync' : 'r+');
        await writeFully(current.handle, unit.payload, current.bytes);
      } catch (e) {
        await this.dropHandle(current);
        throw e;
      }
      current.bytes += unit.payload.byteLength;
      return;
    }
    const file = segmentFileName(unit.sequence, unit.captureTimeMs ?? unit.receivedAtMs);
    const entry: IndexEntry = {
      type: 'segment',
      sequence: unit.sequence,
      file,
      init: this.initFile,
      join: unit.join,
      decodeTime: unit.decodeTime,
      startMs: Math.round(unit.captureTimeMs ?? unit.receivedAtMs),
    };
    // the previous segment is closed in the same round (its last append is durable already);
    // after a failure it stays current, its handle reopened if it is appended to again
    const handle = await this.writeNewFile(file, unit.payload, entry, current ? () => this.dropHandle(current) : null);
    this.segment = { file, handle, bytes: unit.payload.byteLength };
  }

  /**
   * Creates (or on a retry re-creates) a file holding exactly `data` and appends its index
   * line. With fsync the file is opened synchronized (`'wdsync'`, kept for the appends that
   * follow) and the index too (`'r+dsync'`), so once the file is open everything else runs in
   * one round through the thread pool, at the same time: the file's data, the index line, the
   * folder's fsync for the new entry (and any entry left pending by the folder's creation),
   * and `alongside` (closing the previous segment). Two rounds per new segment, not six
   * (issue 10: a new segment every IDR, the slowest acks). Nothing counts before all of them
   * completed: on any error the file handle is closed, the index handle dropped and its
   * durable size unchanged, so the retry rewrites the same bytes at the same offsets. After a
   * crash in between, repair drops an index line whose file is missing and trims or removes a
   * torn newest file (recording-repair.ts); the order in which the three reach the disk does
   * not matter.
   * @returns the open handle of the new file (the caller closes or keeps it)
   * @throws the first error of any step, once every step has settled
   */
  private async writeNewFile(file: string, data: Uint8Array, entry: IndexEntry, alongside: (() => Promise<void>) | null = null): Promise<RecordingFile> {
    const line = Buffer.from(JSON.stringify(entry) + '\n');
    const handle = await this.fs.open(path.join(this.dir, file), this.fsync ? 'wdsync' : 'w');
    try {
      await allOrFirstError([
        writeFully(handle, data, 0),
        this.writeIndexLine(line),
        ...(this.fsync ? [this.syncEntries(true)] : []),
        ...(alongside ? [alongside()] : []),
      ]);
    } catch (e) {
      await handle.close().catch(() => undefined);
      throw e;
    }
    this.index.bytes += line.byteLength;
    return handle;
  }

  /**
   * Writes one line at the index's durable end (synchronized with fsync); the durable size is
   * the caller's to advance. On error the index handle is dropped (reopened by the retry).
   */
  private async writeIndexLine(line: Uint8Array): Promise<void> {
    try {
      this.index.handle ??= await this.fs.open(path.join(this.dir, 'index.jsonl'), this.fsync ? 'r+dsync' : 'r+');
      await writeFully(this.index.handle, line, this.index.bytes);
    } catch (e) {
      await this.dropHandle(this.index);
      throw e;
    }
  }

  private async appendIndex(entry: IndexEntry): Promise<void> {
    const line = Buffer.from(JSON.stringify(entry) + '\n');
    // before the first unit of a new folder (a gap first), its entries become durable here
    await allOrFirstError([this.writeIndexLine(line), ...(this.fsync ? [this.syncEntries(false)] : [])]);
    this.index.bytes += line.byteLength;
  }

  /**
   * Syncs the directory entries a new folder left pending (its own and `streams/`'s), at the
   * same time; they are done once they succeeded.
   * @param folderToo sync the stream folder when nothing is pending (a new file's entry)
   * @throws the first error (every sync is waited for first)
   */
  private async syncEntries(folderToo: boolean): Promise<void> {
    const entries = this.pendingEntries ?? (folderToo ? [() => this.syncFolder()] : []);
    await allOrFirstError(entries.map((sync) => sync()));
    this.pendingEntries = null;
  }

  /**
   * fsync of the stream folder (the entries of new files), on a handle kept open for the
   * recording's life (one open less per new file: issue 10); dropped after a failure, so a
   * retry reopens it.
   */
  private async syncFolder(): Promise<void> {
    try {
      this.folder.handle ??= await this.fs.open(this.dir, 'r');
      await this.folder.handle.datasync();
    } catch (e) {
      await this.dropHandle(this.folder);
      throw e;
    }
  }

  /** After a failed write or sync the handle is not trusted: the retry reopens the file. */
  private async dropHandle(holder: { handle: RecordingFile | null }): Promise<void> {
    const handle = holder.handle;
    holder.handle = null;
    await handle?.close().catch(() => undefined);
  }
}
