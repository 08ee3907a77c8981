/**
 * A stored segment file (`GET /api/recordings/:streamId/files/<seq>-<time>.m4s`) split into
 * its fragments (pure). The server stores each fragment as it arrives (`prft` + `moof` +
 * `mdat`, one frame), so a file is a run of complete fragments; the newest file of a live
 * recording grows while it is read, so a torn tail (half a fragment) is left for the next
 * read, which starts at {@link SplitResult.consumed} (`Range: bytes=<consumed>-`).
 */
import { parseFragment, readBoxHeader, type FragmentInfo } from '@vigil/fmp4';
import type { Frame } from './recording-model';

/** One fragment of a segment file: its bytes (a subarray, no copy) and what `parseFragment` read. */
export interface FileFragment {
  readonly bytes: Uint8Array;
  readonly info: FragmentInfo;
}

/** Output of {@link splitFragments}. */
export interface SplitResult {
  readonly fragments: readonly FileFragment[];
  /** Bytes of whole fragments from the start of the input. */
  readonly consumed: number;
  /** Why the walk stopped before the end of the input, if it did for another reason than a torn tail. */
  readonly error: string | null;
}

/**
 * Splits bytes read from a segment file (from a fragment boundary on) into fragments: a
 * fragment ends with its `mdat`. Stops at a box that does not fit (a torn tail, not an
 * error) and at anything that does not parse (reported in `error`).
 */
export function splitFragments(data: Uint8Array): SplitResult {
  const fragments: FileFragment[] = [];
  let start = 0;
  let offset = 0;
  while (offset < data.length) {
    // a box size of 0 ("extends to the end") is never written by the server: a zero-filled tail
    if (data.length - offset >= 4 && (data[offset]! | data[offset + 1]! | data[offset + 2]! | data[offset + 3]!) === 0) break;
    let box;
    try {
      box = readBoxHeader(data, offset, data.length);
    } catch {
      break; // torn tail: read again later
    }
    offset = box.end;
    if (box.type !== 'mdat') continue;
    const bytes = data.subarray(start, offset);
    try {
      fragments.push({ bytes, info: parseFragment(bytes) });
    } catch (err) {
      return { fragments, consumed: start, error: `fragment at byte ${start}: ${err instanceof Error ? err.message : String(err)}` };
    }
    start = offset;
  }
  return { fragments, consumed: start, error: null };
}

/**
 * The frames of fragments on the SourceBuffer's timeline: `tfdt / timescale + offset`
 * seconds (timescale from the init segment, 90000 in Vigil; offset = the segment's
 * `timestampOffset`, seconds).
 */
export function framesOf(fragments: readonly FileFragment[], timescale: number, offset: number): Frame[] {
  return fragments.map(({ info }) => ({
    sequence: info.sequenceNumber,
    mediaStart: info.baseMediaDecodeTime / timescale + offset,
    mediaEnd: (info.baseMediaDecodeTime + info.duration) / timescale + offset,
    captureMs: info.captureTimeMs,
    join: info.isSync,
  }));
}
