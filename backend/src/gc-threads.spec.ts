import { execFileSync } from 'node:child_process';
import { SINGLE_THREADED_GC, gcNodeOptions, gcStartupWarning } from './gc-threads';

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
});
