/**
 * The frame rate a stream should capture at, from who watches it (pure; issue 11: frame rate
 * driven by demand). A stream nobody watches, or watched only as a tile on a wall, captures at
 * its base rate (the exam's, 0.2–5 fps): what the recording needs. A focused view (a proctor
 * looking at this student) raises it to the focus rate at once, and the Sentinel starts the new
 * rate with an IDR (the frame rate is fixed per segment), so the focus is sharp immediately.
 * When the last focused view leaves, the stream returns to its base rate. An admin's rate
 * (REST or portal, per stream or exam-wide) wins over both until the stream ends.
 */
export interface FpsDemand {
  /** The exam's rate for this stream, fps. */
  readonly baseFps: number;
  /** The rate while a focused view watches, fps (never below the base rate). */
  readonly focusFps: number;
  /** An admin's rate for this stream, fps, or null. */
  readonly overrideFps: number | null;
  /** Focused views watching now. */
  readonly focusViewers: number;
  /** The most load shedding allows now, fps, or null (`load-shedding.ts` `loadCapFps`). */
  readonly loadCapFps?: number | null;
}

/**
 * The frame rate to capture at, fps, and the reason to give the Sentinel when it changes: an
 * admin's rate wins; otherwise the viewers' demand, lowered to the load-shedding cap when there
 * is one (`load`).
 */
export function demandedRate(d: FpsDemand): { fps: number; reason: 'admin' | 'demand' | 'load' } {
  if (d.overrideFps !== null) return { fps: d.overrideFps, reason: 'admin' };
  const wanted = d.focusViewers > 0 ? Math.max(d.baseFps, d.focusFps) : d.baseFps;
  if (d.loadCapFps !== undefined && d.loadCapFps !== null && d.loadCapFps < wanted) return { fps: d.loadCapFps, reason: 'load' };
  return { fps: wanted, reason: 'demand' };
}
