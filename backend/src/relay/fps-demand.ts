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
}

/** The frame rate to capture at, fps; see the module comment. */
export function demandedFps(d: FpsDemand): number {
  if (d.overrideFps !== null) return d.overrideFps;
  return d.focusViewers > 0 ? Math.max(d.baseFps, d.focusFps) : d.baseFps;
}
