/**
 * Stop conditions of a run (pure): a fragment lost (sent or produced and not acknowledged
 * within a limit), acknowledgement p99 over a limit, relay p99 over a limit. The p99s are
 * over a sliding window (see WindowedHistogram) and count only with enough samples, so one
 * slow fragment in a quiet second does not end a capacity run, and not during the warm-up
 * (every Sentinel connecting and sending its first IDR frame at once).
 */

/** Limits; null disables a condition. */
export interface StopThresholds {
  /** A message not acknowledged this long after it was produced counts as lost, ms. */
  maxUnackedAgeMs: number | null;
  /** Ack latency (send → ack) p99 over the window above this stops the run, ms. */
  maxAckP99Ms: number | null;
  /** Relay latency (capture → proctor receive) p99 over the window above this stops the run, ms. */
  maxRelayP99Ms: number | null;
  /** Fewest samples in the window for a p99 to count. */
  minSamples: number;
}

/** What the run measured at one moment. */
export interface StopInput {
  /** Age of the oldest unacknowledged message (from production), ms; null when none is pending. */
  oldestUnackedAgeMs: number | null;
  /** Ack latency over the window: samples and p99 (ms, null without samples). */
  ack: { count: number; p99: number | null };
  /** Relay latency over the window: samples and p99 (ms, null without samples). */
  relay: { count: number; p99: number | null };
  /** Still warming up: the p99 conditions do not apply yet (a lost message always does). */
  warmingUp?: boolean;
}

/** Why a run stopped early. */
export interface StopReason {
  kind: 'fragment-lost' | 'ack-p99' | 'relay-p99';
  /** The measured value, ms. */
  valueMs: number;
  /** The limit it crossed, ms. */
  thresholdMs: number;
  /** One line for people. */
  message: string;
}

/** The first condition that holds (lost, then ack, then relay), or null to go on. */
export function checkStop(input: StopInput, t: StopThresholds): StopReason | null {
  if (t.maxUnackedAgeMs !== null && input.oldestUnackedAgeMs !== null && input.oldestUnackedAgeMs > t.maxUnackedAgeMs) {
    return {
      kind: 'fragment-lost',
      valueMs: input.oldestUnackedAgeMs,
      thresholdMs: t.maxUnackedAgeMs,
      message: `a message has waited ${fmtS(input.oldestUnackedAgeMs)} for its ack (limit ${fmtS(t.maxUnackedAgeMs)}): counted as lost`,
    };
  }
  if (input.warmingUp) return null;
  if (t.maxAckP99Ms !== null && input.ack.count >= t.minSamples && input.ack.p99 !== null && input.ack.p99 > t.maxAckP99Ms) {
    return {
      kind: 'ack-p99',
      valueMs: input.ack.p99,
      thresholdMs: t.maxAckP99Ms,
      message: `ack latency p99 ${Math.round(input.ack.p99)} ms over the window is above the limit ${t.maxAckP99Ms} ms`,
    };
  }
  if (t.maxRelayP99Ms !== null && input.relay.count >= t.minSamples && input.relay.p99 !== null && input.relay.p99 > t.maxRelayP99Ms) {
    return {
      kind: 'relay-p99',
      valueMs: input.relay.p99,
      thresholdMs: t.maxRelayP99Ms,
      message: `relay latency p99 ${Math.round(input.relay.p99)} ms over the window is above the limit ${t.maxRelayP99Ms} ms`,
    };
  }
  return null;
}

/**
 * The load generator's own event-loop delay from which a latency stop may be partly the
 * generator's, ms: 40 % of the 50 ms latency limit of the benchmarks. A Sentinel's ack and a
 * proctor's fragment are timed when the generator's event loop reads them, so a late loop
 * adds its delay to every latency it measures meanwhile.
 */
export const GENERATOR_BUSY_LOOP_MS = 20;

/**
 * What a latency stop owes to the load generator itself, or null when it was not busy.
 * @param stop the stop condition that ended the run
 * @param loopP99Ms the highest per-second p99 of the generator's event-loop delay over the
 *   window the stop was judged on, ms (null: not measured)
 * @returns a clause for the stop line (with its figure and what to do), or null for a
 *   fragment-lost stop (a 10 s wait is not a loop delay) and for a loop below {@link GENERATOR_BUSY_LOOP_MS}
 */
export function generatorBusyNote(stop: Pick<StopReason, 'kind'>, loopP99Ms: number | null): string | null {
  if (stop.kind === 'fragment-lost' || loopP99Ms === null || !(loopP99Ms >= GENERATOR_BUSY_LOOP_MS)) return null;
  return (
    `the load generator was busy too: its own event-loop delay reached p99 ${Math.round(loopP99Ms)} ms in a second of that window, ` +
    `and it adds to every latency it measured then (give it more CPU or another machine to tell the server's share)`
  );
}

function fmtS(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
