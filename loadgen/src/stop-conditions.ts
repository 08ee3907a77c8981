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

function fmtS(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
