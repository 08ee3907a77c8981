import { mkdir, open, readFile, readdir, rm, stat, writeFile, FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { parseFragment, parseInitSegment } from '@vigil/fmp4';
import type { MediaUnit, FragmentUnit, InitUnit } from '../relay/media-unit';
import type { UnitWriter } from '../relay/live-stream';
import {
  IndexEntry,
  RECORDING_FILE_PATTERN,
  StreamMeta,
  assertSafeStreamId,
  initFileName,
  segmentFileName,
} from './recording-layout';
import { scanSegment } from './torn-tail';

/** What a resumed recording already holds on disk. */
export interface ResumePoint {
  /** Highest sequence number complete on disk, 0 when new. */
  lastSequence: number;
  /** Bytes of the newest init segment on disk and its sequence number, or null. */
  init: { sequence: number; bytes: Uint8Array } | null;
  /** `tfdt` of the last complete fragment, 90 kHz ticks (-1 when none). */
  lastDecodeTime: number;
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

  /**
   * @param dataDir root data folder (created if missing)
   * @param fsync when true every write is followed by fdatasync before it counts as durable
   */
  constructor(
    dataDir: string,
    private readonly fsync: boolean,
  ) {
    this.streamsDir = path.resolve(dataDir, 'streams');
  }

  /** @throws TypeError for an unsafe stream id */
  streamDir(streamId: string): string {
    assertSafeStreamId(streamId);
    return path.join(this.streamsDir, streamId);
  }

  /**
   * Opens (creating or resuming) a stream's recording. A torn tail in the last
   * segment file is trimmed so every complete fragment stays readable.
   */
  async open(meta: StreamMeta): Promise<StreamRecording> {
    const dir = this.streamDir(meta.streamId);
    await mkdir(dir, { recursive: true });
    const metaPath = path.join(dir, 'meta.json');
    const existing = await readFile(metaPath, 'utf8').catch(() => null);
    if (existing === null) await writeFile(metaPath, JSON.stringify(meta, null, 2) + '\n');
    const index = await this.readIndex(meta.streamId);
    const resume = await this.recover(dir, index);
    const recording = new StreamRecording(dir, this.fsync, resume, index);
    await recording.openLogs();
    return recording;
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

  /** Parses `index.jsonl`; a torn last line (crash mid-append) is ignored. */
  async readIndex(streamId: string): Promise<IndexEntry[]> {
    const text = await readFile(path.join(this.streamDir(streamId), 'index.jsonl'), 'utf8').catch(() => '');
    const entries: IndexEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        entries.push(JSON.parse(line) as IndexEntry);
      } catch {
        break; // only the last line can be torn
      }
    }
    return entries;
  }

  /** Groups the index into playable parts (one per init segment). */
  async parts(streamId: string): Promise<RecordingPart[]> {
    const parts: RecordingPart[] = [];
    for (const entry of await this.readIndex(streamId)) {
      if (entry.type === 'init') parts.push({ init: entry, segments: [] });
      else parts.at(-1)?.segments.push(entry);
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

  private async recover(dir: string, index: IndexEntry[]): Promise<ResumePoint> {
    const resume: ResumePoint = { lastSequence: 0, init: null, lastDecodeTime: -1 };
    const lastInit = index.filter((e) => e.type === 'init').at(-1);
    if (lastInit) {
      const bytes = await readFile(path.join(dir, lastInit.file)).catch(() => null);
      if (bytes) {
        parseInitSegment(bytes); // throws on a damaged init segment
        resume.init = { sequence: lastInit.sequence, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
        resume.lastSequence = lastInit.sequence;
      }
    }
    const lastSegment = index.filter((e) => e.type === 'segment').at(-1);
    if (lastSegment) {
      const file = path.join(dir, lastSegment.file);
      const data = await readFile(file).catch(() => null);
      if (data) {
        const scan = scanSegment(data);
        if (scan.completeBytes < data.byteLength) {
          const handle = await open(file, 'r+');
          await handle.truncate(scan.completeBytes);
          await handle.close();
        }
        if (scan.lastFragmentStart >= 0) {
          const last = parseFragment(data.subarray(scan.lastFragmentStart, scan.completeBytes));
          resume.lastSequence = Math.max(resume.lastSequence, last.sequenceNumber);
          resume.lastDecodeTime = last.baseMediaDecodeTime;
        }
      }
    }
    return resume;
  }

  /**
   * Last time anything was recorded for a stream: the newest index entry's start time,
   * or the stream's creation, ms since the Unix epoch.
   */
  async lastActivityMs(meta: StreamMeta): Promise<number> {
    const last = (await this.readIndex(meta.streamId)).at(-1);
    const at = last ? (last.type === 'init' ? last.atMs : last.startMs) : meta.createdAtMs;
    return Math.max(meta.createdAtMs, at);
  }

  /**
   * Deletes a stream's whole recording folder (retention). Idempotent.
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
 */
export class StreamRecording implements UnitWriter {
  private segment: { handle: FileHandle; file: string } | null = null;
  private indexHandle: FileHandle | null = null;
  private eventsHandle: FileHandle | null = null;
  private initFile: string | null;
  private closed = false;

  constructor(
    readonly dir: string,
    private readonly fsync: boolean,
    readonly resume: ResumePoint,
    index: IndexEntry[],
  ) {
    this.initFile = index.filter((e) => e.type === 'init').at(-1)?.file ?? null;
    this.resumeSegmentFile = index.filter((e) => e.type === 'segment').at(-1)?.file ?? null;
  }

  /** The segment file a resumed stream appends its non-join fragments to. */
  private resumeSegmentFile: string | null;

  /** Opens the append-only logs. Called once by {@link RecordingStore.open}. */
  async openLogs(): Promise<void> {
    this.indexHandle = await open(path.join(this.dir, 'index.jsonl'), 'a');
    this.eventsHandle = await open(path.join(this.dir, 'events.jsonl'), 'a');
  }

  /** Writes one unit durably (file write, then fdatasync when enabled). */
  async write(unit: MediaUnit): Promise<void> {
    if (this.closed) throw new Error('recording is closed');
    if (unit.kind === 'init') await this.writeInit(unit);
    else await this.writeFragment(unit);
  }

  /** Appends one application event (connect, disconnect, fps change, keyframe request…). */
  async logEvent(event: Record<string, unknown> & { type: string }): Promise<void> {
    if (!this.eventsHandle || this.closed) return;
    await this.eventsHandle.write(JSON.stringify({ atMs: Date.now(), ...event }) + '\n');
  }

  /** Closes every file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const handles = [this.segment?.handle, this.indexHandle, this.eventsHandle];
    this.segment = null;
    await Promise.all(handles.map((h) => h?.close().catch(() => undefined)));
  }

  private async writeInit(unit: InitUnit): Promise<void> {
    const file = initFileName(unit.sequence);
    const handle = await open(path.join(this.dir, file), 'w');
    try {
      await handle.write(unit.payload);
      if (this.fsync) await handle.datasync();
    } finally {
      await handle.close();
    }
    this.initFile = file;
    await this.closeSegment();
    this.resumeSegmentFile = null;
    await this.appendIndex({ type: 'init', sequence: unit.sequence, file, width: unit.width, height: unit.height, codec: unit.codec, atMs: unit.receivedAtMs });
  }

  private async writeFragment(unit: FragmentUnit): Promise<void> {
    if (!this.initFile) throw new Error('fragment before any init segment');
    if (unit.join || !this.segment) {
      await this.closeSegment();
      if (!unit.join && this.resumeSegmentFile) {
        this.segment = { handle: await open(path.join(this.dir, this.resumeSegmentFile), 'a'), file: this.resumeSegmentFile };
      } else {
        const file = segmentFileName(unit.sequence, unit.captureTimeMs ?? unit.receivedAtMs);
        this.segment = { handle: await open(path.join(this.dir, file), 'a'), file };
        await this.appendIndex({
          type: 'segment',
          sequence: unit.sequence,
          file,
          init: this.initFile,
          join: unit.join,
          decodeTime: unit.decodeTime,
          startMs: Math.round(unit.captureTimeMs ?? unit.receivedAtMs),
        });
      }
      this.resumeSegmentFile = null;
    }
    await this.segment.handle.write(unit.payload);
    if (this.fsync) await this.segment.handle.datasync();
  }

  private async appendIndex(entry: IndexEntry): Promise<void> {
    if (!this.indexHandle) throw new Error('recording logs are not open');
    await this.indexHandle.write(JSON.stringify(entry) + '\n');
    if (this.fsync) await this.indexHandle.datasync();
  }

  private async closeSegment(): Promise<void> {
    const open = this.segment;
    this.segment = null;
    await open?.handle.close();
  }
}
