/**
 * Crash recovery for a segment file (pure): finds where the last complete
 * fragment ends, so a torn tail (a write cut short by a crash) can be trimmed.
 *
 * A segment file is a run of top-level boxes `[prft] moof mdat` per fragment
 * (ISO/IEC 14496-12 §4.2 box header: 32-bit size, 4-character type; size 1 =
 * 64-bit largesize follows). A fragment is complete when its `mdat` is complete.
 */
export interface SegmentScan {
  /** Byte length of the complete part: offset just past the last complete `mdat`. */
  completeBytes: number;
  /** Offset where the last complete fragment starts (its first box), or -1 when none. */
  lastFragmentStart: number;
  /** Number of complete fragments. */
  fragments: number;
  /** Offset just past the first complete fragment's `mdat`, or -1 when none. */
  firstFragmentEnd: number;
}

/**
 * Scans a segment file's bytes for complete fragments (pure, no per-sample work).
 * @param data the whole file
 */
export function scanSegment(data: Uint8Array): SegmentScan {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  let fragmentStart = 0;
  const scan: SegmentScan = { completeBytes: 0, lastFragmentStart: -1, fragments: 0, firstFragmentEnd: -1 };
  while (offset + 8 <= data.byteLength) {
    let size = view.getUint32(offset);
    let header = 8;
    if (size === 1) {
      if (offset + 16 > data.byteLength) break;
      const high = view.getUint32(offset + 8);
      size = high * 2 ** 32 + view.getUint32(offset + 12);
      header = 16;
    }
    if (size < header || offset + size > data.byteLength) break; // size 0 (to end) never appears in our files
    const type = String.fromCharCode(data[offset + 4], data[offset + 5], data[offset + 6], data[offset + 7]);
    offset += size;
    if (type === 'mdat') {
      scan.completeBytes = offset;
      scan.lastFragmentStart = fragmentStart;
      if (scan.fragments++ === 0) scan.firstFragmentEnd = offset;
      fragmentStart = offset;
    }
  }
  return scan;
}
