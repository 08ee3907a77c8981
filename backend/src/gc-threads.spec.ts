import { execFileSync } from 'node:child_process';
import { HEAP_GROWING_PERCENT, SINGLE_THREADED_GC, gcNodeOptions, gcStartupWarning, heapGrowthFlags } from './gc-threads';

describe('gcNodeOptions: V8 collector options by the CPUs the server may use', () => {
  it('asks for a single-threaded collector on one CPU only', () => {
    expect(gcNodeOptions(1)).toEqual(['--single-threaded-gc']);
    expect(gcNodeOptions(2)).toEqual([]);
    expect(gcNodeOptions(64)).toEqual([]);
  });
});

describe('gcStartupWarning', () => {
  it('warns on one CPU when the option was left out, naming the option and the command', () => {
    const warning = gcStartupWarning(1, ['--enable-source-maps']);
    expect(warning).toContain('1 CPU');
    expect(warning).toContain('node --single-threaded-gc dist/backend/main.js');
  });

  it('is quiet on one CPU with the option, and on more CPUs without it', () => {
    expect(gcStartupWarning(1, ['--enable-source-maps', SINGLE_THREADED_GC])).toBeNull();
    expect(gcStartupWarning(2, [])).toBeNull();
    expect(gcStartupWarning(8, ['--enable-source-maps'])).toBeNull();
  });

  it('warns when a later --no-single-threaded-gc turned the option off again (V8 reads options in order)', () => {
    expect(gcStartupWarning(1, [SINGLE_THREADED_GC, '--no-single-threaded-gc'])).not.toBeNull();
    expect(gcStartupWarning(1, ['--no-single-threaded-gc', SINGLE_THREADED_GC])).toBeNull();
  });
});

describe('heapGrowthFlags: the old generation grows by half on one CPU', () => {
  it('sets --heap-growing-percent=50 on one CPU only', () => {
    expect(HEAP_GROWING_PERCENT).toBe(50);
    expect(heapGrowthFlags(1, ['--enable-source-maps', SINGLE_THREADED_GC])).toEqual(['--heap-growing-percent=50']);
    expect(heapGrowthFlags(2, [])).toEqual([]);
    expect(heapGrowthFlags(16, [SINGLE_THREADED_GC])).toEqual([]);
  });

  it("leaves an operator's own factor alone, however it is spelled", () => {
    expect(heapGrowthFlags(1, ['--heap-growing-percent=20'])).toEqual([]);
    expect(heapGrowthFlags(1, ['--heap_growing_percent=300'])).toEqual([]);
    expect(heapGrowthFlags(1, ['--heap-growing-percent', '20'])).toEqual([]);
    expect(heapGrowthFlags(1, ['--heap-growing-percentage=20'])).toEqual(['--heap-growing-percent=50']);
  });
});

describe('the premises, on this machine', () => {
  const node = (args: string[], pin?: string) =>
    execFileSync(pin ? 'taskset' : process.execPath, pin ? ['-c', pin, process.execPath, ...args] : args, { encoding: 'utf8' }).trim();

  it('os.availableParallelism() follows the CPU affinity (taskset), which is what the launchers read', () => {
    // written as a string: `node -p` and console.log colour numbers when the runner sets FORCE_COLOR
    expect(node(['-e', 'process.stdout.write(String(require("node:os").availableParallelism()))'], '0')).toBe('1');
  });

  it('this Node.js accepts the option and collects garbage with it', () => {
    // a few hundred MB of short-lived objects: scavenges and a mark-compact run single-threaded
    const out = node([SINGLE_THREADED_GC, '--expose-gc', '-e', 'let k = 0; for (let i = 0; i < 3e6; i++) k += [i, { i }].length; gc(); process.stdout.write(String(k))']);
    expect(out).toBe(String(6e6));
  });

  it('this Node.js honours --heap-growing-percent set at run time: the next limit is 1.5 times the live old generation', () => {
    // V8 prints each limit it computes with --trace-gc-verbose: "… new limit: N KB (factor)"
    const script = `require('node:v8').setFlagsFromString(${JSON.stringify(heapGrowthFlags(1, [])[0])});
      let keep = []; for (let i = 0; i < 2e6; i++) { keep.push({ i }); if (keep.length > 4e5) keep = keep.slice(2e5); } global.gc();`;
    const withFlag = node(['--trace-gc-verbose', '--expose-gc', '-e', script]);
    const without = node(['--trace-gc-verbose', '--expose-gc', '-e', script.replace(/^.*?;/, '')]);
    const factors = (out: string) => [...out.matchAll(/\[HeapController\] Limit: .*\(([\d.]+)\)/g)].map((m) => Number(m[1]));
    expect(factors(withFlag).length).toBeGreaterThan(0);
    expect(new Set(factors(withFlag))).toEqual(new Set([1.5]));
    // and without it V8 picks its own factors, so the line read above is the flag's doing
    expect(factors(without).length).toBeGreaterThan(0);
    expect(factors(without).some((f) => f !== 1.5)).toBe(true);
  });
});
