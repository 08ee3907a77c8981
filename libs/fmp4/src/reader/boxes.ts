import { Fmp4Error } from '../errors';
import { MAX_BOX_DEPTH, MAX_CHILD_BOXES } from '../limits';

/**
 * Location of one box inside a Uint8Array (ISO/IEC 14496-12 §4.2). All
 * offsets are byte offsets into the array that was walked; nothing is copied.
 */
export interface BoxHeader {
  /** Four-character code, e.g. 'moof' (bytes mapped 1:1 to char codes). */
  readonly type: string;
  /** Slash-separated path from the walk's root, e.g. 'moof/traf/trun'. */
  readonly path: string;
  /** Offset of the first header byte. */
  readonly start: number;
  /** 8, 16 with a 64-bit largesize, +16 for 'uuid' (extended type). */
  readonly headerSize: number;
  /** Offset of the first content byte (start + headerSize). */
  readonly contentStart: number;
  /** Offset one past the last byte (start + size). */
  readonly end: number;
}

/**
 * Bytes between a container's header and its first child box. Most containers
 * have none; these hold fields first (ISO/IEC 14496-12 §8.5.2 stsd, §8.7.2 dref,
 * §8.11.1 meta; ISO/IEC 14496-15 §5.4.2.1 avc1 = VisualSampleEntry 78 bytes).
 */
export const CHILDREN_OFFSET: Readonly<Record<string, number>> = {
  stsd: 8,
  dref: 8,
  meta: 4,
  avc1: 78,
  avc3: 78,
};

/**
 * Reads the header of the box at `offset`, which must end by `end`
 * (ISO/IEC 14496-12 §4.2): size 0 = box extends to `end`, size 1 = 64-bit
 * largesize follows the type, type 'uuid' adds a 16-byte extended type.
 *
 * @param parentPath path of the enclosing box for messages ('' at top level)
 * @throws Fmp4Error 'truncated' (header or box past `end`), 'bad-box-size'
 *         (size smaller than the header, largesize above 2^53-1)
 */
export function readBoxHeader(data: Uint8Array, offset: number, end: number, parentPath = ''): BoxHeader {
  const avail = end - offset;
  if (avail < 8) throw Fmp4Error.truncated(parentPath, offset, 8, avail);
  const size32 = ((data[offset] << 24) | (data[offset + 1] << 16) | (data[offset + 2] << 8) | data[offset + 3]) >>> 0;
  const type = String.fromCharCode(data[offset + 4], data[offset + 5], data[offset + 6], data[offset + 7]);
  const path = parentPath === '' ? type : `${parentPath}/${type}`;
  let headerSize = 8;
  let size: number;
  if (size32 === 1) {
    if (avail < 16) throw Fmp4Error.truncated(path, offset, 16, avail);
    const hi = ((data[offset + 8] << 24) | (data[offset + 9] << 16) | (data[offset + 10] << 8) | data[offset + 11]) >>> 0;
    const lo = ((data[offset + 12] << 24) | (data[offset + 13] << 16) | (data[offset + 14] << 8) | data[offset + 15]) >>> 0;
    if (hi > 0x1fffff) throw Fmp4Error.badBoxSize(path, offset, 'largesize exceeds 2^53-1');
    size = hi * 0x100000000 + lo;
    headerSize = 16;
  } else if (size32 === 0) {
    size = avail; // "box extends to the end of the file" (here: of the enclosing range)
  } else {
    size = size32;
  }
  if (type === 'uuid') headerSize += 16;
  if (size < headerSize) {
    throw Fmp4Error.badBoxSize(path, offset, `declared size ${size} is smaller than its ${headerSize}-byte header`);
  }
  if (size > avail) throw Fmp4Error.truncated(path, offset, size, avail);
  return { type, path, start: offset, headerSize, contentStart: offset + headerSize, end: offset + size };
}

/**
 * Iterates over the sibling boxes in `data[start, end)`, in order. Each step
 * advances by the box size (>= 8 bytes), so the walk always terminates and
 * costs at most (end - start) / 8 steps; a box that does not fit throws
 * instead of being yielded.
 *
 * @param maxBoxes refuse the walk when it reaches a box past this many
 *        (default: no bound, for walking whole recording files; the parsers
 *        pass {@link MAX_CHILD_BOXES})
 * @throws RangeError for a bad range; Fmp4Error from {@link readBoxHeader};
 *         Fmp4Error 'limit-exceeded' for box number maxBoxes + 1
 */
export function* readBoxes(
  data: Uint8Array,
  start = 0,
  end = data.length,
  parentPath = '',
  maxBoxes = Infinity,
): Generator<BoxHeader, void, undefined> {
  checkRange(data, start, end);
  let offset = start;
  let count = 0;
  while (offset < end) {
    if (++count > maxBoxes) {
      const limitName = maxBoxes === MAX_CHILD_BOXES ? 'MAX_CHILD_BOXES' : 'maxBoxes';
      throw Fmp4Error.limitExceeded(parentPath, offset, 'box count', count, limitName, maxBoxes);
    }
    const box = readBoxHeader(data, offset, end, parentPath);
    yield box;
    offset = box.end;
  }
}

/**
 * Offset where `box`'s child boxes begin: contentStart plus the fixed fields
 * of the containers listed in {@link CHILDREN_OFFSET}.
 */
export function childrenStart(box: BoxHeader): number {
  return box.contentStart + (CHILDREN_OFFSET[box.type] ?? 0);
}

/**
 * Iterates over the child boxes of container `box` (see {@link childrenStart}),
 * at most `maxBoxes` of them ({@link MAX_CHILD_BOXES} by default).
 * @throws Fmp4Error 'truncated' if the container's fixed fields do not fit,
 *         'limit-exceeded' past `maxBoxes` children, and as {@link readBoxes}.
 */
export function childBoxes(data: Uint8Array, box: BoxHeader, maxBoxes = MAX_CHILD_BOXES): Generator<BoxHeader, void, undefined> {
  const from = childrenStart(box);
  if (from > box.end) {
    throw Fmp4Error.truncated(box.path, box.contentStart, from - box.contentStart, box.end - box.contentStart);
  }
  return readBoxes(data, from, box.end, box.path, maxBoxes);
}

/**
 * Finds the first box matching `path` (e.g. ['moof', 'traf', 'tfhd']) by
 * descending one level per element, starting from the boxes in
 * `data[start, end)`. Returns null when a level has no such box. The first
 * level is walked without a bound (it may be a whole file); every deeper
 * level at most {@link MAX_CHILD_BOXES} boxes.
 *
 * @throws RangeError when `path` is longer than {@link MAX_BOX_DEPTH} (16) levels;
 *         Fmp4Error for malformed boxes met on the way (see {@link readBoxes});
 *         'truncated' if a container's fixed fields do not fit; 'limit-exceeded'
 *         for a container with more than MAX_CHILD_BOXES children.
 */
export function findBox(
  data: Uint8Array,
  path: readonly string[],
  start = 0,
  end = data.length,
): BoxHeader | null {
  if (path.length > MAX_BOX_DEPTH) {
    throw new RangeError(`findBox: path has ${path.length} levels, more than MAX_BOX_DEPTH (${MAX_BOX_DEPTH})`);
  }
  let found: BoxHeader | null = null;
  for (const type of path) {
    const level: Iterable<BoxHeader> = found === null ? readBoxes(data, start, end) : childBoxes(data, found);
    found = null;
    for (const box of level) {
      if (box.type === type) {
        found = box;
        break;
      }
    }
    if (found === null) return null;
  }
  return found;
}

/** The content bytes of `box` (after its header): a subarray, no copy. */
export function boxContent(data: Uint8Array, box: BoxHeader): Uint8Array {
  return data.subarray(box.contentStart, box.end);
}

function checkRange(data: Uint8Array, start: number, end: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > data.length || start > end) {
    throw new RangeError(`box range [${start}, ${end}) must lie within 0..${data.length}`);
  }
}
