/**
 * V8's garbage collector and the CPUs the server may run on.
 *
 * By default V8 marks the old generation concurrently and scavenges the young one in parallel,
 * on helper threads. With one CPU there is nothing to run them alongside: each time a helper
 * thread runs, it takes the only core from the event loop, which then reads no socket and sends
 * no ack (the time shows as no GC pause at all). With `--single-threaded-gc` the same work runs
 * on the event loop's own thread, in its incremental steps and pauses.
 *
 * Measured (issue 10; loadgen, 800 Sentinels at 1 fps, 20 proctors, server under `taskset -c 0`,
 * the load generator on the other core, after the joins, 15 s; 4–5 runs of each, alternated):
 * ack p99 at the Sentinels 109–176 ms with V8's defaults, 28–66 ms with `--single-threaded-gc`;
 * at the server (receive → ack sent) 35–61 ms against 8–24 ms. Only the whole flag helped:
 * `--no-parallel-scavenge` alone did not (140 ms), nor `--no-concurrent-sweeping` (82 ms).
 * With two CPUs (the load generator on one of them) the defaults were as good or better
 * (25–31 against 25–90 ms), so the flag is for one CPU only.
 *
 * V8 reads the flag when it starts: `v8.setFlagsFromString` afterwards aborts the process at
 * the next collection. So the launcher passes it (`npm start`: tools/start.mjs; the load
 * generator's `--spawn`: loadgen/src/spawn-server.ts) and the server warns when it was left out.
 */

/** The Node.js option. */
export const SINGLE_THREADED_GC = '--single-threaded-gc';

/**
 * Node.js options for V8's collector on a machine where the server may use `cpus` CPUs
 * (`os.availableParallelism()`, which follows the CPU affinity: `taskset`, cgroup cpusets).
 * @param cpus CPUs the server may run on (a whole number ≥ 1)
 * @returns `['--single-threaded-gc']` for one CPU, else none
 */
export function gcNodeOptions(cpus: number): string[] {
  return cpus <= 1 ? [SINGLE_THREADED_GC] : [];
}

/**
 * The start-up warning when the server runs on one CPU with V8's helper threads, else null.
 * @param cpus CPUs the server may run on (`os.availableParallelism()`)
 * @param execArgv the Node.js options the process was started with (`process.execArgv`)
 */
export function gcStartupWarning(cpus: number, execArgv: readonly string[]): string | null {
  const wanted = gcNodeOptions(cpus);
  // V8 reads its options in order: a later --no-single-threaded-gc turns it off again
  if (wanted.length === 0 || execArgv.lastIndexOf(SINGLE_THREADED_GC) > execArgv.lastIndexOf('--no-single-threaded-gc')) return null;
  return (
    `this server runs on ${cpus} CPU and V8's garbage collector has helper threads that take it from the event loop ` +
    `(Sentinels' acks wait): start Node with ${wanted.join(' ')} (node ${wanted.join(' ')} dist/backend/main.js; npm start does)`
  );
}

/**
 * V8's growing factor for the old generation's limit on one CPU, as `--heap-growing-percent`:
 * the next major collection starts once the old generation is 1 + 50 / 100 = 1.5 times what
 * the last one left alive (less what a scavenge may promote meanwhile).
 *
 * Left alone, V8 picks the factor from its collector's speed against the allocation rate. The
 * server keeps a large, steady old generation (every stream's buffered fragments, sessions,
 * code) and allocates at a steady rate, so V8 judged its collector fast and chose its
 * smallest factor, 1.1: with `--single-threaded-gc` a new incremental marking started as
 * soon as the last one ended, one every 1.3 s, each about 185 ms of the event loop (V8's
 * `--trace-gc`: 79 MB left alive, limit 104 MB). Measured (issue 10; loadgen, 800 Sentinels
 * at 1 fps, 20 proctors, server under `taskset -c 0`, 6 alternated runs of each, median):
 * - V8's choice: a major collection every 1.3 s; server CPU 44 %, ack p99 at the Sentinels
 *   30 ms, relay p99 25 ms;
 * - factor 1.5: one every 5 s (each started by V8's task, in small steps); CPU 39 %, ack p99
 *   24 ms, relay p99 18 ms; the process 14 MB larger (RSS 689 MB against 675);
 * - factor 2 (`=100`), for comparison: one every 7 s, but started by the growth of memory
 *   outside the heap (the fragments' buffers), which marks in steps of 5–10 ms: CPU 35 %,
 *   ack p99 96 ms (3 runs). Fewer collections are not better past the point where that trigger wins.
 * With two or more CPUs V8 marks on helper threads and its defaults stay (not measured here).
 */
export const HEAP_GROWING_PERCENT = 50;

/**
 * The V8 flags the server sets on itself at start (`v8.setFlagsFromString`, backend
 * `heap-growth.ts`: V8 reads this one each time it computes a limit, so it needs no launcher,
 * and a V8 that no longer knows it prints an error and runs on with its defaults).
 * @param cpus CPUs the server may run on (`os.availableParallelism()`)
 * @param execArgv the Node.js options the process was started with: an operator's own
 *   `--heap-growing-percent` wins
 * @returns `['--heap-growing-percent=50']` on one CPU, else none
 */
export function heapGrowthFlags(cpus: number, execArgv: readonly string[]): string[] {
  if (cpus > 1 || execArgv.some((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a))) return [];
  return [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`];
}
