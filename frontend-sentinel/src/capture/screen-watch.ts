/**
 * Blank and frozen screen detection (pure; issue 11 part 4), from a tiny grey-scale copy of
 * the frames the Sentinel samples anyway (64x36 luma from `thumbnail.ts`, once a second):
 *
 * - **blank**: at least `blankFraction` (85 %) of the thumbnail's pixels lie within
 *   `flatTolerance` (±8 of 255) of its median: one flat colour, black, white or any other (a
 *   browser's toolbar at the top of an otherwise black screen still counts as blank; so does a
 *   page that is empty but for a line or two: at 64x36 a line of text moves its cells' luma by
 *   more than 8, a few lines do not make 15 % of the picture);
 * - **frozen**: the thumbnail differs from the one taken when the picture last changed by less
 *   than `frozenDifference` (mean absolute luma difference, 0..255): nothing visible moved.
 *   A blank screen is not also reported as frozen.
 *
 * Hysteresis: a condition is reported (`state: start`, with the time it began and how long it
 * had held) once it has held `blankAfterMs` (2 s) / `frozenAfterMs` (30 s), and ends (`state:
 * end`) once the picture has been other for `blankClearAfterMs` (1 s) / at the first change.
 * The server raises its alert after its own threshold (`VIGIL_ALERT_BLANK_SECONDS`), counted
 * from the start. Cost: O(pixels) per observation, no allocation but the frozen reference.
 */

/** Thresholds of {@link ScreenWatch}; all optional. */
export interface ScreenWatchOptions {
  /** Share of pixels near the median that makes a picture blank, 0..1 (default 0.85). */
  blankFraction?: number;
  /** How far from the median a pixel may be and still count as flat, luma steps (default 8). */
  flatTolerance?: number;
  /** Mean absolute luma difference below which the picture counts as unchanged (default 0.75). */
  frozenDifference?: number;
  /** A blank picture is reported after this long, ms (default 2000). */
  blankAfterMs?: number;
  /** A reported blank ends after the picture was not blank this long, ms (default 1000). */
  blankClearAfterMs?: number;
  /** An unchanged picture is reported after this long, ms (default 30000). */
  frozenAfterMs?: number;
}

/** A condition starting or ending. */
export interface ScreenWatchEvent {
  kind: 'screen-blank' | 'screen-frozen';
  state: 'start' | 'end';
  /** When it began (start) or ended (end), the caller's clock, ms. */
  atMs: number;
  /** How long it had held when reported (start) or in all (end), ms. */
  heldMs: number;
  /** Mean luma of the picture observed, 0..255 (one decimal). */
  luma: number;
}

/** Mean and flatness of a luma picture. */
export interface LumaStats {
  /** Mean luma, 0..255. */
  mean: number;
  /** Share of pixels within `tolerance` of the median, 0..1. */
  flatFraction: number;
}

/**
 * Mean and flatness of 8-bit luma samples (O(n), a 256-bin histogram).
 * @param tolerance luma steps from the median that still count as flat
 * @throws RangeError for an empty picture
 */
export function lumaStats(luma: Uint8Array, tolerance: number): LumaStats {
  const n = luma.length;
  if (n === 0) throw new RangeError('luma must hold at least one pixel');
  const histogram = new Uint32Array(256);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = luma[i]!;
    histogram[v]!++;
    sum += v;
  }
  let median = 0;
  for (let seen = 0; median < 256; median++) {
    seen += histogram[median]!;
    if (seen * 2 >= n) break;
  }
  let flat = 0;
  for (let v = Math.max(0, median - tolerance); v <= Math.min(255, median + tolerance); v++) flat += histogram[v]!;
  return { mean: sum / n, flatFraction: flat / n };
}

/**
 * Mean absolute difference of two luma pictures of the same size, 0..255.
 * @throws RangeError when their sizes differ
 */
export function meanAbsDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length || a.length === 0) throw new RangeError(`pictures of ${a.length} and ${b.length} pixels cannot be compared`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** Watches a stream of luma thumbnails for blank and frozen pictures; see the module comment. */
export class ScreenWatch {
  private readonly blankFraction: number;
  private readonly flatTolerance: number;
  private readonly frozenDifference: number;
  private readonly blankAfterMs: number;
  private readonly blankClearAfterMs: number;
  private readonly frozenAfterMs: number;
  private blankSince: number | null = null;
  private blankActive = false;
  private clearSince: number | null = null;
  private reference: Uint8Array | null = null;
  private referenceSince = 0;
  private frozenActive = false;
  private lastLuma = 0;
  private stats: LumaStats | null = null;

  /** @throws RangeError for a threshold out of range */
  constructor(options: ScreenWatchOptions = {}) {
    this.blankFraction = options.blankFraction ?? 0.85;
    this.flatTolerance = options.flatTolerance ?? 8;
    this.frozenDifference = options.frozenDifference ?? 0.75;
    this.blankAfterMs = options.blankAfterMs ?? 2000;
    this.blankClearAfterMs = options.blankClearAfterMs ?? 1000;
    this.frozenAfterMs = options.frozenAfterMs ?? 30_000;
    if (!(this.blankFraction > 0 && this.blankFraction <= 1)) throw new RangeError(`blankFraction must be in (0, 1], got ${this.blankFraction}`);
    for (const [name, v] of Object.entries({ flatTolerance: this.flatTolerance, frozenDifference: this.frozenDifference, blankAfterMs: this.blankAfterMs, blankClearAfterMs: this.blankClearAfterMs, frozenAfterMs: this.frozenAfterMs })) {
      if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a number >= 0, got ${v}`);
    }
  }

  /** True while a blank picture is reported. */
  get blank(): boolean {
    return this.blankActive;
  }

  /** Mean and flatness of the last picture observed, or null before the first. */
  get lastStats(): LumaStats | null {
    return this.stats;
  }

  /** True while a frozen picture is reported. */
  get frozen(): boolean {
    return this.frozenActive;
  }

  /**
   * One thumbnail (the same size every time, or call {@link reset} first).
   * @param luma 8-bit luma samples
   * @param nowMs when it was taken, ms (any clock, increasing)
   * @returns the conditions that started or ended with it
   */
  observe(luma: Uint8Array, nowMs: number): ScreenWatchEvent[] {
    const out: ScreenWatchEvent[] = [];
    const { mean, flatFraction } = (this.stats = lumaStats(luma, this.flatTolerance));
    this.lastLuma = Math.round(mean * 10) / 10;
    const isBlank = flatFraction >= this.blankFraction;

    // frozen first: a change ends it, also a change to blank
    const changed = this.reference === null || this.reference.length !== luma.length || meanAbsDifference(luma, this.reference) > this.frozenDifference;
    if (changed) {
      if (this.frozenActive) out.push(this.event('screen-frozen', 'end', nowMs, nowMs - this.referenceSince));
      this.frozenActive = false;
      this.reference = luma.slice();
      this.referenceSince = nowMs;
    } else if (!this.frozenActive && !isBlank && !this.blankActive && nowMs - this.referenceSince >= this.frozenAfterMs) {
      this.frozenActive = true;
      out.push(this.event('screen-frozen', 'start', this.referenceSince, nowMs - this.referenceSince));
    }

    if (!this.blankActive) {
      if (isBlank) {
        this.blankSince ??= nowMs;
        if (nowMs - this.blankSince >= this.blankAfterMs) {
          this.blankActive = true;
          this.clearSince = null;
          out.push(this.event('screen-blank', 'start', this.blankSince, nowMs - this.blankSince));
        }
      } else {
        this.blankSince = null;
      }
    } else if (!isBlank) {
      this.clearSince ??= nowMs;
      if (nowMs - this.clearSince >= this.blankClearAfterMs) {
        out.push(this.event('screen-blank', 'end', this.clearSince, this.clearSince - (this.blankSince ?? this.clearSince)));
        this.blankActive = false;
        this.blankSince = null;
        this.clearSince = null;
      }
    } else {
      this.clearSince = null;
    }
    return out;
  }

  /**
   * Forgets everything (capture stopped or restarted: the next picture is a new start).
   * @returns `end` events for the conditions that were reported, at `nowMs`
   */
  reset(nowMs: number): ScreenWatchEvent[] {
    const out: ScreenWatchEvent[] = [];
    if (this.blankActive) out.push(this.event('screen-blank', 'end', nowMs, nowMs - (this.blankSince ?? nowMs)));
    if (this.frozenActive) out.push(this.event('screen-frozen', 'end', nowMs, nowMs - this.referenceSince));
    this.blankActive = false;
    this.frozenActive = false;
    this.blankSince = null;
    this.clearSince = null;
    this.reference = null;
    this.stats = null;
    return out;
  }

  private event(kind: ScreenWatchEvent['kind'], state: ScreenWatchEvent['state'], atMs: number, heldMs: number): ScreenWatchEvent {
    return { kind, state, atMs, heldMs: Math.max(0, Math.round(heldMs)), luma: this.lastLuma };
  }
}
