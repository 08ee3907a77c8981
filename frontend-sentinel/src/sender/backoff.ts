/**
 * Reconnect delays: exponential backoff with jitter, 0.5 s .. 10 s.
 *
 *     base(attempt) = min(maxMs, minMs * 2 ^ attempt)
 *     delay         = clamp(base * (1 + jitter * (2 * random - 1)), minMs, maxMs)
 *
 * With the defaults (jitter 0.25) attempt 0 waits 0.5..0.625 s, attempt 3 waits 3..5 s and
 * from attempt 5 on 7.5..10 s. The jitter spreads the reconnects of a whole exam room after a
 * server restart so they do not arrive in one burst.
 */
import { assertFiniteInRange, assertIntegerInRange, assertObject } from '../util/assert';

/** Options for {@link backoffDelayMs} and {@link Backoff}. */
export interface BackoffOptions {
  /** Shortest delay, ms (default 500). */
  minMs?: number;
  /** Longest delay, ms (default 10000). */
  maxMs?: number;
  /** Relative jitter 0..1 (default 0.25): the delay varies by +/- jitter x base. */
  jitter?: number;
}

interface ResolvedBackoff {
  minMs: number;
  maxMs: number;
  jitter: number;
}

function resolve(options: BackoffOptions): ResolvedBackoff {
  assertObject('options', options);
  const minMs = options.minMs ?? 500;
  const maxMs = options.maxMs ?? 10_000;
  const jitter = options.jitter ?? 0.25;
  assertFiniteInRange('options.minMs', minMs, 1, 3_600_000);
  assertFiniteInRange('options.maxMs', maxMs, minMs, 3_600_000);
  assertFiniteInRange('options.jitter', jitter, 0, 1);
  return { minMs, maxMs, jitter };
}

/**
 * Delay in ms before reconnect attempt `attempt` (0 = first retry).
 * @param attempt integer >= 0
 * @param random a uniform number in [0, 1) (`Math.random()`; injected for tests)
 * @throws TypeError on a bad attempt, random value or option
 */
export function backoffDelayMs(attempt: number, random: number, options: BackoffOptions = {}): number {
  assertIntegerInRange('attempt', attempt, 0);
  assertFiniteInRange('random', random, 0, 1);
  const { minMs, maxMs, jitter } = resolve(options);
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 52));
  const delay = base * (1 + jitter * (2 * random - 1));
  return Math.min(maxMs, Math.max(minMs, delay));
}

/** Stateful helper: counts attempts; `reset()` after a connection succeeded. */
export class Backoff {
  private attempts = 0;
  private readonly options: ResolvedBackoff;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}, random: () => number = Math.random) {
    this.options = resolve(options);
    if (typeof random !== 'function') throw new TypeError('random must be a function returning [0, 1)');
    this.random = random;
  }

  /** Failed attempts since the last `reset()`. */
  get attempt(): number {
    return this.attempts;
  }

  /** Delay (ms) before the next attempt; counts the attempt. */
  next(): number {
    return backoffDelayMs(this.attempts++, this.random(), this.options);
  }

  /** Back to the shortest delay. */
  reset(): void {
    this.attempts = 0;
  }
}
