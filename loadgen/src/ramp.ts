/**
 * Ramp schedule for capacity runs (pure): start with `start` Sentinels, add `step` every
 * `everyS` seconds until `max`. Times are milliseconds since the run started.
 */

/** `--ramp start,step,every-seconds,max`. */
export interface RampPlan {
  /** Sentinels at t = 0 (>= 1). */
  start: number;
  /** Sentinels added per step (>= 1). */
  step: number;
  /** Seconds between steps (> 0). */
  everyS: number;
  /** Most Sentinels (>= start). */
  max: number;
}

/**
 * Parses `start,step,every-seconds,max`, e.g. `50,50,30,1000`.
 * @throws Error naming the problem when the text is not four positive numbers in order
 */
export function parseRamp(text: string): RampPlan {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length !== 4 || parts.some((p) => p === '' || !Number.isFinite(Number(p)))) {
    throw new Error(`--ramp must be start,step,every-seconds,max (four numbers, e.g. 50,50,30,1000), got "${text}"`);
  }
  const [start, step, everyS, max] = parts.map(Number) as [number, number, number, number];
  for (const [name, v] of [['start', start], ['step', step], ['max', max]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`--ramp ${name} must be a whole number >= 1, got ${v}`);
  }
  if (!(everyS > 0)) throw new Error(`--ramp every-seconds must be > 0, got ${everyS}`);
  if (max < start) throw new Error(`--ramp max (${max}) must be >= start (${start})`);
  return { start, step, everyS, max };
}

/** Sentinels that should be running `elapsedMs` after the start (start, +step per full period, capped at max). */
export function rampTarget(plan: RampPlan, elapsedMs: number): number {
  if (elapsedMs < 0) return 0;
  const steps = Math.floor(elapsedMs / (plan.everyS * 1000));
  return Math.min(plan.max, plan.start + steps * plan.step);
}

/** Milliseconds after the start at which the ramp reaches `max`. */
export function rampFullAtMs(plan: RampPlan): number {
  const steps = Math.ceil((plan.max - plan.start) / plan.step);
  return steps * plan.everyS * 1000;
}

/**
 * Default run length with a ramp: until the ramp is full, then one more period at `max`
 * (so the top level is measured for as long as every other), ms.
 */
export function rampDefaultDurationMs(plan: RampPlan): number {
  return rampFullAtMs(plan) + plan.everyS * 1000;
}

/**
 * The highest level that ran a whole period without a stop, given when the run stopped
 * (`stoppedAtMs`, ms after the start; null = never stopped). 0 when even the first level failed.
 */
export function lastStableLevel(plan: RampPlan, stoppedAtMs: number | null): number {
  if (stoppedAtMs === null) return plan.max;
  // the level in force when the run stopped did not hold; the one before it did (a whole period)
  const periodMs = plan.everyS * 1000;
  const stepAtStop = Math.floor(stoppedAtMs / periodMs);
  if (stepAtStop === 0) return 0;
  return rampTarget(plan, (stepAtStop - 1) * periodMs);
}
