import { FragmentUnit, InitUnit, TICKS_PER_SECOND } from './media-unit';
import { MEDIA_HEADER_BYTES } from '@vigil/protocol';
import { ChunkPool, ChunkRing } from './chunk-pool';
import { FragmentTable } from './fragment-table';

/**
 * A join fragment and every fragment after it up to the next join fragment (one GOP): its rows
 * of the {@link FragmentTable} run from `first` to the next segment's `first` (the newest's to
 * the table's end).
 */
interface BufferedSegment {
  /** Absolute row of its join fragment. */
  readonly first: number;
  /** Sum of the fragments' message sizes, bytes. */
  bytes: number;
}

/** Where a viewer can start: the init segment and the fragments of the newest segment. */
export interface JoinPoint {
  readonly init: InitUnit;
  /** The newest segment's fragments, each with a new copy of its message (not shared with anything). */
  readonly fragments: readonly FragmentUnit[];
  /** Media time from the join fragment's start to the live edge, 90 kHz ticks. */
  readonly ageTicks: number;
}

/**
 * Per-stream memory buffer (pure, no I/O): the current init segment plus every
 * whole segment that overlaps the last `windowSeconds` of media time.
 *
 * The fragments' wire messages are copied into chunks of a {@link ChunkPool} shared by every
 * stream (see there why: their own buffers, kept for 20–45 s, made V8 collect the whole heap
 * every few seconds); the message buffers themselves go on to the disk and the live viewers and
 * die young. A join point hands out new copies, so no chunk is ever seen outside this class and
 * a chunk given back can be reused at once. The fragments' other fields are rows of a
 * {@link FragmentTable} (no object per fragment: see there why). Fragments that arrive before the first join
 * fragment cannot start playback and are not kept. Byte limits evict the oldest whole segments
 * first; see {@link SegmentBuffer.evictOldest}.
 */
export class SegmentBuffer {
  private currentInit: InitUnit | null = null;
  private readonly segments: BufferedSegment[] = [];
  private totalBytes = 0;
  private readonly windowTicks: number;
  private readonly ring: ChunkRing;
  private readonly table = new FragmentTable();

  /**
   * @param windowSeconds media seconds to keep (whole segments overlapping it), > 0
   * @param maxBytes per-stream byte budget for fragments, > 0
   * @param pool where the copies of the messages are kept (default: a pool of this buffer's own)
   * @throws TypeError on a non-positive window or budget
   */
  constructor(
    windowSeconds: number,
    private readonly maxBytes: number,
    pool: ChunkPool = new ChunkPool(),
  ) {
    if (!(windowSeconds > 0)) throw new TypeError('windowSeconds must be > 0');
    if (!(maxBytes > 0)) throw new TypeError('maxBytes must be > 0');
    this.windowTicks = Math.round(windowSeconds * TICKS_PER_SECOND);
    this.ring = new ChunkRing(pool);
  }

  /** Bytes held in fragments (the init segment is not counted: it is tiny and always kept). */
  get bytes(): number {
    return this.totalBytes;
  }

  get init(): InitUnit | null {
    return this.currentInit;
  }

  /** Number of whole segments held. */
  get segmentCount(): number {
    return this.segments.length;
  }

  /** End of the newest fragment, 90 kHz ticks, or null when empty. */
  get liveEdgeTicks(): number | null {
    if (this.segments.length === 0) return null;
    const last = this.table.end - 1;
    return this.table.decodeTime(last) + this.table.duration(last);
  }

  /**
   * Sets the init segment. A new init (new SPS/PPS or size) makes every held
   * segment undecodable with it, so they are dropped.
   * @returns bytes freed
   */
  setInit(init: InitUnit): number {
    this.currentInit = init;
    return this.clear();
  }

  /**
   * Adds a fragment; trims segments that fell out of the window or over the byte budget.
   * @returns bytes freed (may exceed the fragment's own size)
   */
  append(fragment: FragmentUnit): number {
    const open = this.segments.at(-1);
    if (!fragment.join && !open) return 0; // no join fragment yet: nothing a viewer could start from
    const bytes = fragment.message.byteLength;
    const offset = this.ring.append(fragment.message);
    const row = this.table.push(fragment.sequence, fragment.join, fragment.decodeTime, fragment.duration, fragment.captureTimeMs, fragment.receivedAtMs, offset, bytes);
    if (fragment.join || !open) this.segments.push({ first: row, bytes });
    else open.bytes += bytes;
    this.totalBytes += bytes;
    return this.trimWindow() + this.trimBytes();
  }

  /**
   * The newest join point, or null when no segment (or no init) is held, or when its join
   * fragment starts more than `maxAgeTicks` before the live edge (then nothing is copied). Its
   * fragments are new units with new copies of their messages (the caller may hand them to
   * sockets that keep them).
   * @param maxAgeTicks oldest join point wanted, 90 kHz ticks from the live edge (default: any)
   */
  joinPoint(maxAgeTicks = Infinity): JoinPoint | null {
    const newest = this.segments.at(-1);
    const edge = this.liveEdgeTicks;
    const init = this.currentInit;
    if (!newest || !init || edge === null) return null;
    const t = this.table;
    const ageTicks = edge - t.decodeTime(newest.first);
    if (ageTicks > maxAgeTicks) return null;
    const fragments: FragmentUnit[] = [];
    for (let row = newest.first; row < t.end; row++) {
      const message = this.ring.copyOut(t.offset(row), t.bytes(row));
      fragments.push({
        kind: 'fragment',
        sequence: t.sequence(row),
        message,
        payload: message.subarray(MEDIA_HEADER_BYTES),
        join: t.join(row),
        decodeTime: t.decodeTime(row),
        duration: t.duration(row),
        captureTimeMs: t.captureTimeMs(row),
        receivedAtMs: t.receivedAtMs(row),
        init,
      });
    }
    return { init, fragments, ageTicks };
  }

  /**
   * Drops the oldest whole segment (used by the global memory budget).
   * @returns bytes freed, 0 when empty
   */
  evictOldest(): number {
    const oldest = this.segments.shift();
    if (!oldest) return 0;
    this.totalBytes -= oldest.bytes;
    const next = this.segments[0];
    if (next) {
      this.ring.releaseBefore(this.table.offset(next.first));
      this.table.dropBefore(next.first);
    } else {
      this.ring.clear();
      this.table.clear();
    }
    return oldest.bytes;
  }

  /** Drops every segment. @returns bytes freed */
  clear(): number {
    const freed = this.totalBytes;
    this.segments.length = 0;
    this.totalBytes = 0;
    this.ring.clear();
    this.table.clear();
    return freed;
  }

  /** Segment i may go once segment i+1 starts at or before the window's start. */
  private trimWindow(): number {
    const edge = this.liveEdgeTicks;
    if (edge === null) return 0;
    const windowStart = edge - this.windowTicks;
    let freed = 0;
    while (this.segments.length > 1 && this.table.decodeTime(this.segments[1].first) <= windowStart) {
      freed += this.evictOldest();
    }
    return freed;
  }

  /** Over budget: oldest whole segments go first, the newest one last of all. */
  private trimBytes(): number {
    let freed = 0;
    while (this.totalBytes > this.maxBytes && this.segments.length > 0) freed += this.evictOldest();
    return freed;
  }
}
