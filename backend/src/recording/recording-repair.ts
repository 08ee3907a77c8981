import { readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseFragment, parseInitSegment } from '@vigil/fmp4';
import { IndexEntry, RECORDING_FILE_PATTERN } from './recording-layout';
import { RecordingFs, syncDirectory, writeFully } from './recording-fs';
import { scanSegment } from './torn-tail';

/** What a recording on disk holds after repair: where its stream continues. */
export interface ResumePoint {
  /** Highest sequence number complete on disk, 0 when nothing is. */
  lastSequence: number;
  /** Bytes of the newest init segment on disk and its sequence number, or null. */
  init: { sequence: number; bytes: Uint8Array } | null;
  /** `tfdt` of the last complete fragment, 90 kHz ticks (-1 when none, or when an init segment came after it). */
  lastDecodeTime: number;
}

/** One recording folder after {@link repairRecording}. */
export interface RepairedRecording {
  resume: ResumePoint;
  /** The index as it now is on disk (one entry per init segment, segment and gap, in sequence order). */
  index: IndexEntry[];
  /** The newest segment file and its size in bytes (a resumed stream appends non-join fragments to it), or null. */
  lastSegment: { file: string; bytes: number } | null;
  /** What was mended (empty arrays and 0 when the folder was consistent). */
  mended: {
    /** Bytes cut off torn tails. */
    trimmedBytes: number;
    /** Files removed: a segment with no complete fragment, an init segment that does not parse. */
    removedFiles: string[];
    /** Index lines added for files the index did not list (crash between file and index write). */
    addedEntries: number;
    /** Index lines dropped because their file is missing. */
    droppedEntries: number;
    /** True when index.jsonl was rewritten. */
    rewroteIndex: boolean;
  };
}

/**
 * Crash recovery of one stream folder (after `kill -9`, power loss or a failed write):
 * - trims a torn tail of the newest segment file to its last complete fragment
 *   (`[prft] moof mdat` runs, ISO/IEC 14496-12 §4.2 box sizes);
 * - removes a newest segment with no complete fragment (and an unreadable newest init
 *   segment), walking back until a complete one is found, so the resume point is the last
 *   durable fragment, never the init segment's sequence number;
 * - rebuilds `index.jsonl` from the files where they disagree (files without a line, lines
 *   without a file, a torn last line), writing it atomically (temp file, fdatasync, rename,
 *   directory fsync).
 * Idempotent: a consistent folder is only read (directory listing, index, newest segment).
 *
 * @param dir the stream folder
 * @throws only for I/O errors of the repair itself (the caller logs them and refuses the stream)
 */
export async function repairRecording(dir: string, fs: RecordingFs): Promise<RepairedRecording> {
  const mended = { trimmedBytes: 0, removedFiles: [] as string[], addedEntries: 0, droppedEntries: 0, rewroteIndex: false };
  const files = (await readdir(dir)).filter((n) => RECORDING_FILE_PATTERN.test(n)).sort();
  const onDisk = new Set(files);
  const { entries: indexed, torn } = await readIndexFile(path.join(dir, 'index.jsonl'));

  const byFile = new Map<string, IndexEntry>();
  const gaps: Extract<IndexEntry, { type: 'gap' }>[] = [];
  for (const entry of indexed) {
    if (entry.type === 'gap') gaps.push(entry);
    else if (onDisk.has(entry.file)) byFile.set(entry.file, entry);
    else mended.droppedEntries++;
  }

  // the newest files first: trim or remove what a crash left incomplete
  const kept: string[] = [...files];
  let lastSegment: { file: string; bytes: number; lastSequence: number; lastDecodeTime: number } | null = null;
  while (kept.length > 0) {
    const file = kept[kept.length - 1];
    const full = path.join(dir, file);
    if (file.endsWith('-init.mp4')) {
      const bytes = await readFile(full);
      if (initParses(bytes)) break;
      await rm(full, { force: true });
      mended.removedFiles.push(file);
      byFile.delete(file);
      kept.pop();
      continue;
    }
    const data = await readFile(full);
    const scan = scanSegment(data);
    if (scan.fragments === 0) {
      await rm(full, { force: true });
      mended.removedFiles.push(file);
      byFile.delete(file);
      kept.pop();
      continue;
    }
    if (scan.completeBytes < data.byteLength) {
      const handle = await fs.open(full, 'r+');
      try {
        await handle.truncate(scan.completeBytes);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      mended.trimmedBytes += data.byteLength - scan.completeBytes;
    }
    const last = parseFragment(data.subarray(scan.lastFragmentStart, scan.completeBytes));
    lastSegment = { file, bytes: scan.completeBytes, lastSequence: last.sequenceNumber, lastDecodeTime: last.baseMediaDecodeTime };
    break;
  }
  if (mended.removedFiles.length > 0) await syncDirectory(fs, dir);

  // files the index does not list (crash after the file, before its index line)
  let currentInit: string | null = null;
  const rebuilt: IndexEntry[] = [];
  for (const file of kept) {
    const known = byFile.get(file);
    if (file.endsWith('-init.mp4')) {
      currentInit = file;
      if (known) rebuilt.push(known);
      else {
        const bytes = await readFile(path.join(dir, file));
        if (!initParses(bytes)) continue; // an older damaged init: nothing decodes with it, leave it unlisted
        const info = parseInitSegment(bytes);
        const atMs = Math.round((await stat(path.join(dir, file))).mtimeMs);
        rebuilt.push({ type: 'init', sequence: sequenceOf(file), file, width: info.width, height: info.height, codec: info.codec, atMs });
        mended.addedEntries++;
      }
      continue;
    }
    if (known) {
      rebuilt.push(known);
      continue;
    }
    if (!currentInit) continue; // a segment before any init segment cannot be played: leave it unlisted
    const data = await readFile(path.join(dir, file));
    const scan = scanSegment(data);
    if (scan.fragments === 0) continue;
    const first = parseFragment(data.subarray(0, scan.firstFragmentEnd));
    rebuilt.push({
      type: 'segment',
      sequence: sequenceOf(file),
      file,
      init: currentInit,
      join: first.isSync,
      decodeTime: first.baseMediaDecodeTime,
      startMs: startMsOf(file),
    });
    mended.addedEntries++;
  }
  // gap lines keep their place: after the entry whose sequence they follow
  const index = mergeGaps(rebuilt, gaps);

  if (torn || mended.addedEntries > 0 || mended.droppedEntries > 0 || mended.removedFiles.length > 0) {
    await rewriteIndex(dir, fs, index);
    mended.rewroteIndex = true;
  }

  const lastInit = index.filter((e): e is Extract<IndexEntry, { type: 'init' }> => e.type === 'init').at(-1) ?? null;
  const resume: ResumePoint = { lastSequence: 0, init: null, lastDecodeTime: -1 };
  if (lastInit) {
    const bytes = await readFile(path.join(dir, lastInit.file));
    resume.init = { sequence: lastInit.sequence, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
    resume.lastSequence = lastInit.sequence;
  }
  if (lastSegment && lastSegment.lastSequence > resume.lastSequence) {
    resume.lastSequence = lastSegment.lastSequence;
    resume.lastDecodeTime = lastSegment.lastDecodeTime;
  }
  return { resume, index, lastSegment: lastSegment ? { file: lastSegment.file, bytes: lastSegment.bytes } : null, mended };
}

/**
 * Parses `index.jsonl`: one JSON object a line. A torn last line (crash mid-append) is
 * left out and reported; a missing file is an empty index.
 */
export async function readIndexFile(file: string): Promise<{ entries: IndexEntry[]; torn: boolean }> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const entries: IndexEntry[] = [];
  const lines = text.split('\n');
  let torn = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    try {
      entries.push(JSON.parse(line) as IndexEntry);
    } catch {
      torn = true; // only the last line can be torn; anything after it is not trusted either
      break;
    }
  }
  if (!torn && text.length > 0 && !text.endsWith('\n')) torn = true;
  return { entries, torn };
}

function mergeGaps(entries: IndexEntry[], gaps: Extract<IndexEntry, { type: 'gap' }>[]): IndexEntry[] {
  if (gaps.length === 0) return entries;
  const out: IndexEntry[] = [];
  let g = 0;
  for (const entry of entries) {
    while (g < gaps.length && gaps[g].sequence < entry.sequence) out.push(gaps[g++]);
    out.push(entry);
  }
  while (g < gaps.length) out.push(gaps[g++]);
  return out;
}

async function rewriteIndex(dir: string, fs: RecordingFs, index: IndexEntry[]): Promise<void> {
  const tmp = path.join(dir, 'index.jsonl.tmp');
  const handle = await fs.open(tmp, 'w');
  try {
    await writeFully(handle, Buffer.from(index.map((e) => JSON.stringify(e) + '\n').join('')), 0);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path.join(dir, 'index.jsonl'));
  await syncDirectory(fs, dir);
}

function initParses(bytes: Uint8Array): boolean {
  try {
    parseInitSegment(bytes);
    return true;
  } catch {
    return false;
  }
}

/** `000000000042-…` → 42. */
function sequenceOf(file: string): number {
  return Number(file.slice(0, 12));
}

/** `…-20261124T021500123Z.m4s` → ms since the Unix epoch. */
function startMsOf(file: string): number {
  const t = file.slice(13, 32); // 20261124T021500123Z
  return Date.UTC(+t.slice(0, 4), +t.slice(4, 6) - 1, +t.slice(6, 8), +t.slice(9, 11), +t.slice(11, 13), +t.slice(13, 15), +t.slice(15, 18));
}
