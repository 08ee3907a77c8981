import { Fmp4Error } from '../errors';
import { readBoxes } from './boxes';
import { parseFragment, type FragmentInfo } from './fragment';

/** One movie fragment found in a file of fragments. */
export interface FileFragment {
  /** What {@link parseFragment} reports about it. */
  info: FragmentInfo;
  /** Each sample's bytes, in order: subarrays of the file (no copy). */
  samples: Uint8Array[];
  /** Where the fragment (its `prft`, else its `moof`) starts and where its `mdat` ends, byte offsets in the file. */
  start: number;
  end: number;
}

/**
 * The movie fragments of a file that holds several in a row (a Vigil recording's segment file,
 * fragments as a Sentinel sends them, a CMAF segment): every run of top-level boxes
 * `[prft] moof mdat` (ISO/IEC 14496-12 §8.8, §8.16.5) is parsed and validated with
 * {@link parseFragment}; other top-level boxes (`styp`, `sidx`, `free`, …) are skipped.
 * The samples are the `mdat` payload in order (parseFragment checks that their sizes add up
 * to exactly the payload).
 * @throws Fmp4Error when a box header or a fragment does not parse (the message says where),
 *   or the file ends in the middle of a fragment (`trailing-bytes`: a `prft`/`moof` without its `mdat`)
 */
export function* fragmentsOfFile(file: Uint8Array): Generator<FileFragment, void, undefined> {
  let start: number | null = null;
  for (const box of readBoxes(file)) {
    if (box.type === 'prft' || box.type === 'moof') {
      start ??= box.start;
    } else if (box.type === 'mdat' && start !== null) {
      const info = parseFragment(file.subarray(start, box.end));
      const samples: Uint8Array[] = [];
      let offset = box.contentStart;
      for (const s of info.samples) {
        samples.push(file.subarray(offset, offset + s.size));
        offset += s.size;
      }
      yield { info, samples, start, end: box.end };
      start = null;
    } else {
      start = null; // styp, sidx, free, or an mdat that belongs to no moof
    }
  }
  if (start !== null) throw Fmp4Error.trailingBytes(start, file.byteLength - start, 'the last complete fragment');
}
