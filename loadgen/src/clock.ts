/**
 * The clock of the load generator: ms since the Unix epoch with sub-millisecond resolution
 * (`performance.timeOrigin + performance.now()`, as the browser Sentinel stamps `prft`), so
 * ack and relay latencies below 1 ms are not rounded to 0 or 1 ms. Sentinels and proctors run
 * in one process and read this one clock, so relay latency has no clock offset in it.
 */
import { performance } from 'node:perf_hooks';

/** Now, ms since the Unix epoch (fractional). */
export function preciseNowMs(): number {
  return performance.timeOrigin + performance.now();
}
