/**
 * Ingest capacity per core: the load generator's ramp (`npm run loadgen -- --spawn --server-cpus 0
 * --ramp …`) of 1 fps 1080p Sentinels against the real server pinned to core 0 (the load
 * generator on core 1), each step's Sentinels joining at RAMP_JOIN_RATE per second, until a stop
 * condition: a fragment unacknowledged for 10 s (lost), or ack p99 > 50 ms or relay p99 > 50 ms
 * over a level's steady state (from RAMP_SETTLE_S after its last join to the next step). The last
 * level that held a whole step is the capacity. Before the ramps (whose aftermath slows the machine
 * for minutes), the held load: INGEST_HELD_LEVELS (800) Sentinels joining at 80 per second,
 * INGEST_HELD_RUNS (5) runs each, latencies measured over 10 s once all joined; then one more held
 * run at the top level under the V8 CPU profiler: where the event loop's time goes (the limiting
 * resource), by category (src/cpu-profile.ts). Each Vigil ramp is paired with a ramp of the floor peer
 * (`--spawn-bare`: bare `ws`, a synchronized write, an ack, nothing else) on the same core.
 * Prints a markdown section. Run through `npm run bench`.
 * INGEST_RAMP and INGEST_FLOOR_RAMP (START,STEP,EVERY,MAX), INGEST_RUNS and BENCH_SERVER_NODE_ARGS
 * (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") override the defaults, for profiling.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseCli, type LoadgenOptions } from '../src/cli-options';
import { bundleResolver, monotonicNowUs, profileBreakdown, readCpuProfile, type ProfileBreakdown } from '../src/cpu-profile';
import { runLoadgen } from '../src/run';
import { GENERATOR_BUSY_LOOP_MS } from '../src/stop-conditions';
import type { LoadgenSummary } from '../src/report';
import { canPinApart, fmtSpread, framesText, note, num, pinSelf, threadCpuNs, type ThreadCpu } from './bench-support';

/**
 * START,STEP,EVERY,MAX of the ramp: Sentinels, Sentinels, seconds, Sentinels. It starts at 600 so
 * that the ramps take minutes, not tens of minutes (this bench: 7–8.5 min of `npm run bench`'s
 * 28 on a 2-core AMD EPYC host), and the first level's herd of joins has settled before it is judged (a start at 800, joining in 8 s, still held the server's one core
 * busy with joins 3 s later on a 2-core AMD EPYC host, and every ramp stopped on its first level
 * while the held runs at 800 passed); 15 s steps leave each later level about 8 s judged in
 * steady state (several of the collector's cycles).
 */
const RAMP = process.env['INGEST_RAMP'] ?? '600,200,15,4000';
/** Joins per second when a ramp step adds its Sentinels (a school's Sentinels start over a minute or so). */
const RAMP_JOIN_RATE = 100;
/**
 * Seconds after a step's last join before its level is judged (loadgen --settle): a level's capacity
 * is its steady state; the joins' own cost shows in the whole-run latencies beside it and in the held runs.
 */
const RAMP_SETTLE_S = 5;
/** Ramps per `npm run bench` (each takes minutes). */
const RUNS = Number(process.env['INGEST_RUNS'] ?? 2);
/** Synthetic proctors: the streams are dealt among them (one viewer per stream), for relay latency. */
const PROCTORS = 20;
const SERVER_NODE_ARGS = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
/** Extra server environment (INGEST_SERVER_ENV="UV_THREADPOOL_SIZE=16 VIGIL_FSYNC=false"), for experiments. */
const SERVER_ENV = (process.env['INGEST_SERVER_ENV'] ?? '').split(' ').filter(Boolean);

/** Held load: these numbers of Sentinels joining at HELD_JOIN_RATE per second, measured once all joined. */
const HELD_LEVELS = (process.env['INGEST_HELD_LEVELS'] ?? '800').split(',').map(Number);
const HELD_RUNS = Number(process.env['INGEST_HELD_RUNS'] ?? 5);
/** Joins per second in the held-load runs (a school's Sentinels start over a minute or so, not all in one second). */
const HELD_JOIN_RATE = 80;
/**
 * Seconds measured after every Sentinel joined (plus 5 s to settle): 10 s is 8,000 acks at 800
 * Sentinels, each IDR phase of the 25 s GOP in proportion (it was 15 s; the whole
 * `npm run bench` must fit in 30 minutes on this machine's slow days too).
 */
const HELD_MEASURE_S = 10;

/**
 * START,STEP,EVERY,MAX of the floor peer's ramp (`--spawn-bare`, loadgen/bench/bare-ingest.mjs): it
 * holds several times Vigil's level, so it starts higher and steps wider to end within a Vigil
 * ramp's time (at 1600,400,15,4000 it held 4,000 at 60 % of the core, 2026-12-06).
 */
const FLOOR_RAMP = process.env['INGEST_FLOOR_RAMP'] ?? '1600,800,15,6400';
/** Joins per second of the floor's ramp steps: a join costs it next to nothing, and its 1,600 first Sentinels must have joined and settled within the first step. */
const FLOOR_JOIN_RATE = 400;

/**
 * The product (fdatasync before every ack, proctors watching) and, as the peer, the floor: the same
 * Sentinels against a bare `ws` server that acks each message after a synchronized write and does
 * nothing else (no validation, buffer, relay, index or database; no proctors): what Node.js, `ws`
 * and this disk allow on this core for the promise "acked = durable".
 */
const VARIANTS: { name: string; floor: boolean }[] = [
  { name: 'Vigil, fdatasync before ack (default)', floor: false },
  { name: 'peer: the floor (bare `ws` + O_DSYNC write + ack, no proctors)', floor: true },
];

/** A held-load run: `sentinels` joining at HELD_JOIN_RATE, no stop condition, figures after they all joined. */
function heldOptions(pinned: boolean, sentinels: number, serverNodeArgs: readonly string[] = []): LoadgenOptions {
  const warmupS = heldWarmupS(sentinels);
  const argv = ['--spawn', '--fps', '1', '--sentinels', String(sentinels), '--join-rate', String(HELD_JOIN_RATE), '--proctors', String(PROCTORS)];
  argv.push('--watch', 'spread', '--view', 'tile', '--duration', String(warmupS + HELD_MEASURE_S), '--warmup', String(warmupS));
  argv.push('--max-unacked-age', '10', '--max-ack-p99', '0', '--max-relay-p99', '0', '--drain-timeout', '10', '--quiet');
  if (pinned) argv.push('--server-cpus', '0');
  for (const a of serverNodeArgs) argv.push(`--server-node-arg=${a}`);
  for (const kv of ['VIGIL_LOAD_SHEDDING=off', ...SERVER_ENV]) argv.push('--server-env', kv);
  const o = parseCli(argv, {}, os.homedir(), existsSync);
  if (o === 'help') throw new Error('unexpected --help');
  return o;
}

/** Seconds before a held-load run measures: every Sentinel joined, plus 5 s. */
const heldWarmupS = (sentinels: number) => Math.ceil(sentinels / HELD_JOIN_RATE) + 5;

/**
 * Where the server's event-loop thread spends its time under held load: one more held run at
 * `sentinels` with the V8 CPU profiler on (not counted in the latency figures: the profiler
 * costs some CPU), broken down by what the code is (cpu-profile.ts), over the measured window only.
 * Null when the server wrote no profile.
 */
async function profiledHeldRun(
  pinned: boolean,
  sentinels: number,
): Promise<{ breakdown: ProfileBreakdown; summary: LoadgenSummary; mainCpuPercent: number; otherCpuPercent: number } | null> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-ingest-profile-'));
  try {
    const o = heldOptions(pinned, sentinels, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    const warmupS = heldWarmupS(sentinels);
    // the measured window, on the profile's clock, and the server's thread CPU at its ends
    const at = { pid: -1, fromUs: 0, toUs: 0, cpuFrom: null as ThreadCpu | null, cpuTo: null as ThreadCpu | null };
    const summary = await runLoadgen(o, {
      log: (line) => {
        at.pid = Number(/\(pid (\d+)/.exec(line)?.[1] ?? at.pid);
        note(line);
      },
      progress: (s) => {
        if (s.elapsedS >= warmupS && at.fromUs === 0) {
          at.fromUs = monotonicNowUs();
          at.cpuFrom = threadCpuNs(at.pid);
        }
        if (s.elapsedS <= warmupS + HELD_MEASURE_S) {
          at.toUs = monotonicNowUs();
          at.cpuTo = threadCpuNs(at.pid);
        }
      },
    });
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    const { fromUs, toUs, cpuFrom, cpuTo } = at;
    if (!file || fromUs === 0 || cpuFrom === null || cpuTo === null) return null;
    const windowNs = (toUs - fromUs) * 1000;
    const main = o.target.kind === 'spawn' && o.target.serverMain ? o.target.serverMain : path.resolve('dist/backend/main.js');
    return {
      breakdown: profileBreakdown(readCpuProfile(path.join(dir, file)), bundleResolver(main), { fromUs, toUs }),
      summary,
      mainCpuPercent: ((cpuTo.main - cpuFrom.main) / windowNs) * 100,
      otherCpuPercent: ((cpuTo.all - cpuTo.main - (cpuFrom.all - cpuFrom.main)) / windowNs) * 100,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function options(pinned: boolean, floor: boolean): LoadgenOptions {
  const argv = floor
    ? ['--spawn-bare', '--fps', '1', '--ramp', FLOOR_RAMP, '--join-rate', String(FLOOR_JOIN_RATE), '--settle', String(RAMP_SETTLE_S), '--proctors', '0']
    : ['--spawn', '--fps', '1', '--ramp', RAMP, '--join-rate', String(RAMP_JOIN_RATE), '--settle', String(RAMP_SETTLE_S), '--proctors', String(PROCTORS)];
  argv.push('--watch', 'spread', '--view', 'tile');
  argv.push('--max-unacked-age', '10', '--max-ack-p99', '50', '--max-relay-p99', '50', '--window', '10', '--drain-timeout', '10', '--quiet');
  if (pinned) argv.push('--server-cpus', '0');
  if (!floor) {
    for (const a of SERVER_NODE_ARGS) argv.push(`--server-node-arg=${a}`);
    // load shedding off: capacity at the asked frame rate (with it on, the server would lower the rates under load)
    for (const kv of ['VIGIL_LOAD_SHEDDING=off', ...SERVER_ENV]) argv.push('--server-env', kv);
  }
  const o = parseCli(argv, {}, os.homedir(), existsSync);
  if (o === 'help') throw new Error('unexpected --help');
  return o;
}

/**
 * The disk's own fdatasync latency where the spawned server keeps its data (os.tmpdir()):
 * 4 writers, 50 × (61 kB positional write + fdatasync) each, as the recording does per fragment.
 * @returns p50 and p99, ms
 */
async function fdatasyncLatency(): Promise<{ p50: number; p99: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-fsync-'));
  const data = Buffer.alloc(61_000, 1);
  const ms: number[] = [];
  try {
    await Promise.all(
      Array.from({ length: 4 }, async (_, k) => {
        const h = await open(path.join(dir, `f${k}`), 'w');
        for (let i = 0; i < 50; i++) {
          const t = performance.now();
          await h.write(data, 0, data.length, i * data.length);
          await h.datasync();
          ms.push(performance.now() - t);
        }
        await h.close();
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(ms.length / 2)]!, p99: ms[Math.ceil(ms.length * 0.99) - 1]! };
}

async function main(): Promise<void> {
  const pinned = canPinApart() && pinSelf('1');
  const disk = await fdatasyncLatency();
  // the held runs (and the profiled one) first: after the ramps (up to 1,600 Sentinels, gigabytes
  // written and deleted) the same held run measured far worse for minutes (ack p99 ~300 ms at 93 % CPU
  // against 16-24 ms at 58-64 % alone, 2026-12-06), the machine still busy with the ramps' aftermath
  const held: { sentinels: number; summary: LoadgenSummary }[] = [];
  for (let i = 0; i < HELD_RUNS; i++) {
    for (const sentinels of HELD_LEVELS) {
      const summary = await runLoadgen(heldOptions(pinned, sentinels), { log: note, progress: () => undefined });
      held.push({ sentinels, summary });
      note(`held ${sentinels}, run ${i + 1}: ack p99 ${num(summary.ackLatencySteadyMs.p99 ?? NaN)} ms (at the server ${num(summary.serverAckSteadyMs?.p99 ?? NaN)} ms), relay p99 ${num(summary.relayLatencySteadyMs.p99 ?? NaN)} ms, server ${num(summary.server?.cpuPercent ?? NaN)} % cpu`);
    }
  }
  const profiledLevel = Math.max(...HELD_LEVELS);
  const profiled = await profiledHeldRun(pinned, profiledLevel);
  const runs: { variant: string; summary: LoadgenSummary }[] = [];
  for (let i = 0; i < RUNS; i++) {
    for (const v of VARIANTS) {
      const summary = await runLoadgen(options(pinned, v.floor), {
        log: note,
        progress: (s) => {
          if (Math.round(s.elapsedS) % 10 === 0) {
            note(`[${Math.round(s.elapsedS)} s] ${s.sentinelsConnected}/${s.sentinelsTarget} Sentinels, ack p99 ${num(s.ack.p99 ?? NaN)} ms, relay p99 ${num(s.relay.p99 ?? NaN)} ms, server ${num(s.serverCpuPercent ?? NaN)} % cpu, loop p99 ${num(s.loopDelayP99Ms)} ms`);
          }
        },
      });
      runs.push({ variant: v.name, summary });
      note(`${v.name}, run ${i + 1}: last stable ${summary.ramp?.lastStableSentinels}, reached ${summary.ramp?.reachedSentinels}, stop: ${summary.stop?.message ?? 'none'}`);
    }
  }
  const profileText =
    profiled === null
      ? `**Where the time goes**: not measured (the server wrote no CPU profile).`
      : `**Where the time goes** (the limiting resource): one more held run at ${profiledLevel} Sentinels with the V8 CPU
profiler on the server (\`--cpu-prof\`; not counted above), over the same ${HELD_MEASURE_S} s window (ack p99 in this run
${num(profiled.summary.ackLatencySteadyMs.p99 ?? NaN)} ms). The server's core (/proc schedstat): event-loop thread ${num(profiled.mainCpuPercent)} %,
its other threads ${num(profiled.otherCpuPercent)} % (libuv's thread pool doing the synchronized writes, V8's collector and
compiler helpers; the profile does not see them). The profiler saw the event loop busy ${num(profiled.breakdown.busyMs / 10 / HELD_MEASURE_S)} % of the
window: more than the thread's own CPU when it was ready to run but the one core ran another of the server's threads
(a file system call wakes a thread-pool thread, which then takes the core: that time shows as the call's).
By what the code is (self time; frames of \`dist/backend/main.js\` mapped back to their sources through its
source map), share of the busy time:

| what | share of busy time | ms per second |
|---|---|---|
${profiled.breakdown.rows
  .filter((r) => r.share >= 0.005)
  .map((r) => `| ${r.category} | ${(r.share * 100).toFixed(1)} % | ${num(r.ms / HELD_MEASURE_S)} |`)
  .join('\n')}`;
  const heldRows = HELD_LEVELS.map((sentinels) => {
    const rs = held.filter((h) => h.sentinels === sentinels).map((h) => h.summary);
    const f = (pick: (r: LoadgenSummary) => number | null | undefined) => fmtSpread(rs.map((r) => pick(r) ?? NaN));
    const lost = rs.reduce((n, r) => n + r.sentinels.unackedAtEnd, 0);
    return (
      `| ${sentinels} | ${f((r) => r.ackLatencySteadyMs.p50)} | ${f((r) => r.ackLatencySteadyMs.p99)} | ${f((r) => r.ackLatencySteadyMs.max)} | ` +
      `${f((r) => r.ackLatencySteadyKeyframeMs.p99)} | ${f((r) => r.ackLatencySteadyOtherMs.p99)} | ` +
      `${f((r) => r.serverAckSteadyMs?.p99)} | ${f((r) => (r.serverAckSteadyMs?.within50Ms ?? NaN) * 100)} | ${f((r) => r.loadgen.eventLoopDelayMs.p99)} | ` +
      `${f((r) => r.relayLatencySteadyMs.p50)} | ${f((r) => r.relayLatencySteadyMs.p99)} | ${f((r) => r.server?.cpuPercent)} | ${f((r) => (r.server?.peakRssBytes ?? NaN) / 2 ** 20)} | ${lost} |`
    );
  });
  const capacity = (name: string) => runs.filter((r) => r.variant === name).map((r) => r.summary.ramp?.lastStableSentinels ?? 0);
  // paired by run: Vigil's ramp i and the floor's ramp i ran back to back
  const floorCapacities = capacity(VARIANTS[1]!.name);
  const floorShare = capacity(VARIANTS[0]!.name).map((c, i) => c / (floorCapacities[i] ?? NaN));
  // a ramp that reached its maximum without a stop measured a lower bound, not the capacity
  const floorAtMax = floorCapacities.length > 0 && runs.every((r) => r.variant !== VARIANTS[1]!.name || r.summary.stop === null);
  const floorCapacityText = floorAtMax
    ? `at least ${num(Math.min(...floorCapacities))} (every floor ramp reached its maximum without a stop)`
    : fmtSpread(floorCapacities);
  const rows = runs.map(
    ({ variant, summary: r }) =>
      `| ${variant} | ${r.ramp?.lastStableSentinels ?? '–'} | ${r.ramp?.reachedSentinels ?? '–'} | ${r.stop ? `${r.stop.message} (at ${num(r.stop.atS)} s${r.stop.generatorLoopP99Ms == null ? '' : `; load generator loop p99 ${num(r.stop.generatorLoopP99Ms)} ms`})` : 'none (ramp max reached)'} | ` +
      `${num(r.ackLatencySteadyMs.p50 ?? NaN)} / ${num(r.ackLatencySteadyMs.p99 ?? NaN)} | ${num(r.relayLatencySteadyMs.p50 ?? NaN)} / ${num(r.relayLatencySteadyMs.p99 ?? NaN)} | ` +
      `${num(r.server?.peakCpuPercent ?? NaN)} | ${num((r.server?.peakRssBytes ?? NaN) / 2 ** 20)} | ${r.sentinels.framesMissed} / ${num(r.loadgen.eventLoopDelayMs.p99)} | ${r.sentinels.unackedAtEnd} |`,
  );
  const [start, step, every, max] = RAMP.split(',');
  const [floorStart, floorStep, floorEvery] = FLOOR_RAMP.split(',');
  console.log(`## Ingest capacity per core (loadgen/bench/ingest-capacity.bench.ts)

The load generator's ramp against the real server (\`dist/backend/main.js\`, recording with fdatasync
before every ack)${pinned ? ' pinned to one core (`taskset -c 0`, and so started with `--single-threaded-gc` as `npm start` does on one CPU, and with the heap growing factor 1.5 of V8 that the server sets on itself there: backend/src/gc-threads.ts; the load generator on core 1)' : ' (**not pinned**)'}: 1 fps Sentinels replaying real
1920x1080 H.264 (${framesText(path.basename(options(false, false).fragments.dir))}), ${start} at first,
${step} more every ${every} s up to ${max}, each step's Sentinels joining at ${RAMP_JOIN_RATE} per second, ${PROCTORS} proctors watching every stream once between them (wall tiles).
Stop conditions, checked every second: a fragment unacknowledged for 10 s (lost), at any time;
ack p99 > 50 ms or relay p99 > 50 ms over a level's steady state: from ${RAMP_SETTLE_S} s after its last
Sentinel joined to the next step (about ${Number(every) - Math.ceil(Number(step) / RAMP_JOIN_RATE) - 1 - RAMP_SETTLE_S} s; \`--settle ${RAMP_SETTLE_S}\`). Capacity = the last level that
held a whole step. The joins themselves are not judged (each costs the server several ms of its
core): their cost is in the whole-run latencies beside each ramp and in the held runs. ${RUNS} ramp(s) per variant per \`npm run bench\` (a ramp takes up to minutes, so fewer
than 5 runs): capacity ${fmtSpread(capacity(VARIANTS[0]!.name))} Sentinels per core with fdatasync (goal ≥ 3,000),
median (min–max). Same as
\`npm run loadgen -- --spawn --server-cpus 0 --loadgen-cpus 1 --fps 1 --ramp ${RAMP} --join-rate ${RAMP_JOIN_RATE} --settle ${RAMP_SETTLE_S} --proctors ${PROCTORS} --max-ack-p99 50 --max-relay-p99 50\`.

The peer, in the same run on the same core, alternating with Vigil's ramps: **the floor**, the same Sentinels and
frames against a bare \`ws\` server that answers \`hello\`, appends each message to a file with a synchronized write
(\`O_DSYNC\`, as Vigil's appends) and acks it, and does nothing else (loadgen/bench/bare-ingest.mjs: no
authorization, validation, memory buffer, relay, index or database; no proctors), ramped ${floorStart} + ${floorStep} every ${floorEvery} s
(joining at ${FLOOR_JOIN_RATE} per second), same stop conditions: capacity ${floorCapacityText}. That is what Node.js, \`ws\`
and this disk allow on this core for "acked = durable". Vigil's capacity ÷ the floor's, per pair of ramps: ${fmtSpread(floorShare)}${floorAtMax ? ' (at most: the floor was not stopped)' : ''}.
Same as \`npm run loadgen -- --spawn-bare --server-cpus 0 --loadgen-cpus 1 --fps 1 --ramp ${FLOOR_RAMP} --join-rate ${FLOOR_JOIN_RATE} --settle ${RAMP_SETTLE_S} --proctors 0 --max-ack-p99 50\`.
This disk, measured in the same run: write + fdatasync of 61 kB p50 ${num(disk.p50)} ms, p99 ${num(disk.p99)} ms
(4 at a time); every ack waits for one such sync (an \`O_DSYNC\` write for an append).
Latencies are over the whole run after the warm-up, joins included (ms); "late frames / loop p99" is the load
generator's own lateness (non-zero: it was the bottleneck, not the server). Beside each stop, the load
generator's own event-loop delay in the window the stop was judged on (the highest p99 of a second):
it adds to every latency the generator measured then, so from ${GENERATOR_BUSY_LOOP_MS} ms on part of the stop is the generator's.

| server | capacity (Sentinels) | reached | stop | ack p50 / p99 ms | relay p50 / p99 ms | server peak CPU % | server peak RSS MiB | late frames / loop p99 ms | never acked |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

**Held load** (every latency after the joins, over a longer window than a ramp level's): ${HELD_LEVELS.join(' and ')} Sentinels as above (1 fps,
fdatasync, ${PROCTORS} proctors), joining at ${HELD_JOIN_RATE} per second, no stop condition; figures over the ${HELD_MEASURE_S} s
after the last one joined (+5 s), ms. Median (min–max) of ${HELD_RUNS} runs per level, each a fresh server, all before the ramps
(after them the same runs measured several times worse for minutes: the machine was still busy with the ramps' aftermath);
CPU is the server's average over the whole run (joins included). Never acked: messages without an ack at the end, all runs.
The ack figures are the Sentinels' (send → ack received), split into the fragments that carry an IDR (each
starts a new segment file: about 4 % of them) and the appends. "At the server" is the same acks from the
server's own \`vigil_fragment_ack_seconds\` histogram (receive → ack sent, p99 interpolated within its
25/50/100 ms buckets, as Prometheus' \`histogram_quantile\` does): the difference is time in the two
processes' sockets and event loops, the server's (its one core also runs the thread pool) and the load
generator's (its event-loop delay p99 is beside it).

| Sentinels | ack p50 | ack p99 | ack max | IDR ack p99 | append ack p99 | at the server: ack p99 | at the server: % within 50 ms | load generator loop delay p99 | relay p50 | relay p99 | server CPU % | server peak RSS MiB | never acked |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${heldRows.join('\n')}

${profileText}`);
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
