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

/**
 * How long a ramp step takes to join all its Sentinels, ms: the k-th of `added` starts
 * k / `joinRate` seconds after the step (all within one frame interval when `joinRate` is null),
 * plus its own phase within the frame interval (`frameIntervalMs`, see pacing.ts phaseOffsetMs).
 */
export function stepJoinMs(added: number, joinRate: number | null, frameIntervalMs: number): number {
  const spreadMs = joinRate === null || added <= 1 ? 0 : ((added - 1) * 1000) / joinRate;
  return spreadMs + frameIntervalMs;
}

/**
 * With `--settle S`, each level is judged only once its Sentinels have joined and S seconds
 * passed: the milliseconds (after the run's start) from which a step that added `added`
 * Sentinels at `stepAtMs` is judged.
 */
export function stepJudgedFromMs(stepAtMs: number, added: number, joinRate: number | null, frameIntervalMs: number, settleS: number): number {
  return stepAtMs + stepJoinMs(added, joinRate, frameIntervalMs) + settleS * 1000;
}

/**
 * Checks that `--settle` leaves every step at least one judged second. The runner ticks once a
 * second: the first tick after a level settled restarts its windows, the next one judges it, and
 * the tick of the next step already settles the next level; so joining plus settling may take at
 * most the step's seconds minus 2.
 * @throws Error naming the numbers when joining (`step` at `joinRate`) plus settling leaves less
 */
export function checkSettle(plan: RampPlan, joinRate: number | null, frameIntervalMs: number, settleS: number): void {
  const busyMs = stepJoinMs(plan.step, joinRate, frameIntervalMs) + settleS * 1000;
  if (busyMs > (plan.everyS - 2) * 1000) {
    throw new Error(
      `--settle ${settleS} leaves less than one judged second of a ${plan.everyS} s ramp step: its ${plan.step} Sentinels take ` +
        `${(stepJoinMs(plan.step, joinRate, frameIntervalMs) / 1000).toFixed(1)} s to join` +
        `${joinRate === null ? '' : ` at --join-rate ${joinRate}`}; joining and settling may take the step's seconds minus 2; raise the step's seconds or the join rate, or settle less`,
    );
  }
}
