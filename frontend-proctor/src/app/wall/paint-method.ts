/**
 * Which way the wall paints decoded frames into its tiles (pure): `draw` (canvas
 * `drawImage(VideoFrame)`, cheap where the canvas and the frames live on a GPU) or `thumbnail`
 * (copy the frame's planes out and scale them in script, {@link ThumbnailScaler}: cheap where
 * canvases are software, as on this machine: about 1 ms against 6–15 ms). Which is cheaper
 * depends on the proctor's computer, so the wall measures: its first paints alternate the two
 * methods, then it keeps the one with the lower median main-thread time, and tries the other
 * again now and then (a laptop that switches GPUs, a browser that moves frames to the GPU).
 */

export type PaintMethod = 'draw' | 'thumbnail';

/** Trial paints of each method before choosing. */
export const PAINT_TRIALS = 8;
/** After this many paints with the chosen method, the other is tried again ({@link PAINT_TRIALS} more paints). */
export const PAINT_REPROBE_EVERY = 2000;

/** Chooses a tile paint method by measured cost; one per page, shared by every tile. */
export class PaintMethodChooser {
  private readonly samples: Record<PaintMethod, number[]> = { draw: [], thumbnail: [] };
  private chosen: PaintMethod | null = null;
  private sinceChoice = 0;

  /**
   * @param trials paints of each method before choosing (>= 1)
   * @param reprobeEvery paints after which the other method is measured again (>= trials)
   */
  constructor(
    private readonly trials = PAINT_TRIALS,
    private readonly reprobeEvery = PAINT_REPROBE_EVERY,
  ) {
    if (!(trials >= 1 && reprobeEvery >= trials)) throw new RangeError(`trials must be >= 1 and reprobeEvery >= trials (got ${trials}, ${reprobeEvery})`);
  }

  /** The method chosen so far (null while the first trials run). */
  get current(): PaintMethod | null {
    return this.chosen;
  }

  /**
   * The method for the next paint.
   * @param thumbnailPossible the frame's pixel format can be scaled in script (I420, NV12)
   */
  next(thumbnailPossible: boolean): PaintMethod {
    if (!thumbnailPossible) return 'draw';
    if (this.chosen === null) return this.samples.draw.length <= this.samples.thumbnail.length ? 'draw' : 'thumbnail';
    const other: PaintMethod = this.chosen === 'draw' ? 'thumbnail' : 'draw';
    // re-probing: the last `trials` paints of every `reprobeEvery` go to the other method
    return this.sinceChoice % this.reprobeEvery >= this.reprobeEvery - this.trials ? other : this.chosen;
  }

  /**
   * Records what one paint cost on the main thread.
   * @param ms milliseconds (>= 0; NaN and negative values are ignored)
   */
  record(method: PaintMethod, ms: number): void {
    if (!(ms >= 0)) return;
    const list = this.samples[method];
    list.push(ms);
    if (list.length > this.trials) list.shift();
    if (this.chosen === null) {
      if (this.samples.draw.length >= this.trials && this.samples.thumbnail.length >= this.trials) this.choose();
      return;
    }
    this.sinceChoice++;
    if (this.sinceChoice % this.reprobeEvery === 0) this.choose();
  }

  private choose(): void {
    this.chosen = median(this.samples.thumbnail) < median(this.samples.draw) ? 'thumbnail' : 'draw';
  }
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Infinity;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
