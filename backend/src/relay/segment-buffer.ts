import { FragmentUnit, InitUnit, TICKS_PER_SECOND } from './media-unit';

/** A join fragment and every fragment after it up to the next join fragment (one GOP). */
export interface BufferedSegment {
  readonly fragments: FragmentUnit[];
  /** Sum of the fragments' message sizes, bytes. */
  bytes: number;
}

/** Where a viewer can start: the init segment and the fragments of the newest segment. */
export interface JoinPoint {
  readonly init: InitUnit;
  readonly fragments: readonly FragmentUnit[];
  /** Media time from the join fragment's start to the live edge, 90 kHz ticks. */
  readonly ageTicks: number;
}

/**
 * Per-stream memory buffer (pure, no I/O): the current init segment plus every
 * whole segment that overlaps the last `windowSeconds` of media time.
 *
 * Buffers are the original wire messages, shared with every viewer. Fragments
 * that arrive before the first join fragment cannot start playback and are not
 * kept. Byte limits evict the oldest whole segments first; see
 * {@link SegmentBuffer.evictOldest}.
 */
export class SegmentBuffer {
  private currentInit: InitUnit | null = null;
  private readonly segments: BufferedSegment[] = [];
  private totalBytes = 0;
  private readonly windowTicks: number;

  /**
   * @param windowSeconds media seconds to keep (whole segments overlapping it), > 0
   * @param maxBytes per-stream byte budget for fragments, > 0
   * @throws TypeError on a non-positive window or budget
   */
  constructor(windowSeconds: number, private readonly maxBytes: number) {
    if (!(windowSeconds > 0)) throw new TypeError('windowSeconds must be > 0');
    if (!(maxBytes > 0)) throw new TypeError('maxBytes must be > 0');
    this.windowTicks = Math.round(windowSeconds * TICKS_PER_SECOND);
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
    if (fragment.join) {
      this.segments.push({ fragments: [fragment], bytes: fragment.message.byteLength });
    } else {
      const open = this.segments.at(-1);
      if (!open) return 0; // no join fragment yet: nothing a viewer could start from
      open.fragments.push(fragment);
      open.bytes += fragment.message.byteLength;
    }
    this.totalBytes += fragment.message.byteLength;
    return this.trimWindow() + this.trimBytes();
  }

  /** The newest join point, or null when no segment (or no init) is held. */
  joinPoint(): JoinPoint | null {
    const newest = this.segments.at(-1);
    const edge = this.liveEdgeTicks;
    if (!newest || !this.currentInit || edge === null) return null;
    return { init: this.currentInit, fragments: newest.fragments, ageTicks: edge - newest.fragments[0].decodeTime };
  }

  /**
   * Drops the oldest whole segment (used by the global memory budget).
   * @returns bytes freed, 0 when empty
   */
  evictOldest(): number {
    const oldest = this.segments.shift();
    if (!oldest) return 0;
    this.totalBytes -= oldest.bytes;
    return oldest.bytes;
  }

  /** Drops every segment. @returns bytes freed */
  clear(): number {
    const freed = this.totalBytes;
    this.segments.length = 0;
    this.totalBytes = 0;
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
