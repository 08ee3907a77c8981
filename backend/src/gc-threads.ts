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
