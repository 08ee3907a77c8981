import { FragmentUnit, InitUnit, TICKS_PER_SECOND } from './media-unit';
import { MEDIA_HEADER_BYTES } from '@vigil/protocol';
import { ChunkPool, ChunkRing } from './chunk-pool';

/**
 * A fragment as the buffer keeps it: its unit's fields, with its wire message copied into the
 * stream's {@link ChunkRing} at `offset` (absolute, bytes) instead of the message buffer itself.
 */
interface BufferedFragment {
  readonly sequence: number;
  readonly join: boolean;
  readonly decodeTime: number;
  readonly duration: number;
  readonly captureTimeMs: number | null;
  readonly receivedAtMs: number;
  /** Where the whole wire message (header + fragment) starts in the ring, bytes. */
  readonly offset: number;
  /** Its size, bytes. */
  readonly bytes: number;
}

/** A join fragment and every fragment after it up to the next join fragment (one GOP). */
interface BufferedSegment {
  readonly fragments: BufferedFragment[];
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
 * a chunk given back can be reused at once. Fragments that arrive before the first join
 * fragment cannot start playback and are not kept. Byte limits evict the oldest whole segments
 * first; see {@link SegmentBuffer.evictOldest}.
 */
export class SegmentBuffer {
  private currentInit: InitUnit | null = null;
  private readonly segments: BufferedSegment[] = [];
  private totalBytes = 0;
  private readonly windowTicks: number;
  private readonly ring: ChunkRing;

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
    const last = this.segments.at(-1)?.fragments.at(-1);
    return last ? last.decodeTime + last.duration : null;
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
    const kept: BufferedFragment = {
      sequence: fragment.sequence,
      join: fragment.join,
      decodeTime: fragment.decodeTime,
      duration: fragment.duration,
      captureTimeMs: fragment.captureTimeMs,
      receivedAtMs: fragment.receivedAtMs,
      offset: this.ring.append(fragment.message),
      bytes,
    };
    if (fragment.join || !open) {
      this.segments.push({ fragments: [kept], bytes });
    } else {
      open.fragments.push(kept);
      open.bytes += bytes;
    }
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
    const ageTicks = edge - newest.fragments[0].decodeTime;
    if (ageTicks > maxAgeTicks) return null;
    const fragments = newest.fragments.map((f): FragmentUnit => {
      const message = this.ring.copyOut(f.offset, f.bytes);
      return {
        kind: 'fragment',
        sequence: f.sequence,
        message,
        payload: message.subarray(MEDIA_HEADER_BYTES),
        join: f.join,
        decodeTime: f.decodeTime,
        duration: f.duration,
        captureTimeMs: f.captureTimeMs,
        receivedAtMs: f.receivedAtMs,
        init,
      };
    });
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
    if (next) this.ring.releaseBefore(next.fragments[0].offset);
    else this.ring.clear();
    return oldest.bytes;
  }

  /** Drops every segment. @returns bytes freed */
  clear(): number {
    const freed = this.totalBytes;
    this.segments.length = 0;
    this.totalBytes = 0;
    this.ring.clear();
    return freed;
  }

  /** Segment i may go once segment i+1 starts at or before the window's start. */
  private trimWindow(): number {
    const edge = this.liveEdgeTicks;
    if (edge === null) return 0;
    const windowStart = edge - this.windowTicks;
    let freed = 0;
    while (this.segments.length > 1 && this.segments[1].fragments[0].decodeTime <= windowStart) {
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
