import path from 'node:path';
import { USAGE, UsageError, defaultFragmentsName, parseCli, type LoadgenOptions } from './cli-options';

const HOME = '/home/someone';
const parse = (args: string, env: Record<string, string> = {}) => parseCli(args.split(' ').filter(Boolean), env, HOME) as LoadgenOptions;

describe('parseCli', () => {
  it('has defaults for a spawned server', () => {
    const o = parse('--spawn');
    expect(o.target).toEqual({ kind: 'spawn', serverCpus: null, serverEnv: {}, serverMain: null, serverNodeArgs: [] });
    expect(o).toMatchObject({ sentinels: 10, fps: 1, proctors: 2, watch: 'spread', view: 'tile', durationMs: 60_000, drainTimeoutMs: 15_000, windowS: 10, warmupS: 10, ramp: null, jsonPath: null });
    expect(parse('--spawn --window 5').warmupS).toBe(5);
    expect(parse('--spawn --window 5 --warmup 0 --view focus')).toMatchObject({ warmupS: 0, view: 'focus' });
    expect(o.thresholds).toEqual({ maxUnackedAgeMs: 10_000, maxAckP99Ms: 2000, maxRelayP99Ms: 2000, minSamples: 20 });
    expect(o.fragments).toEqual({
      dir: path.join(HOME, '.cache/vigil/bench/fragments/testsrc2-1920x1080-1fps'),
      generateIfMissing: true,
      width: 1920,
      height: 1080,
    });
  });

  it('reads the run of the brief', () => {
    const o = parse('--spawn --sentinels 200 --fps 1 --proctors 20 --duration 60 --server-cpus 0 --server-env VIGIL_FSYNC=false --json out.json');
    expect(o).toMatchObject({ sentinels: 200, fps: 1, proctors: 20, durationMs: 60_000, jsonPath: 'out.json' });
    expect(o.target).toEqual({ kind: 'spawn', serverCpus: '0', serverEnv: { VIGIL_FSYNC: 'false' }, serverMain: null, serverNodeArgs: [] });
  });

  it('passes Node.js options to a spawned server (a CPU profile)', () => {
    const o = parse('--spawn --server-node-arg=--cpu-prof --server-node-arg=--cpu-prof-dir=/tmp/prof');
    expect(o.target).toMatchObject({ kind: 'spawn', serverNodeArgs: ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] });
    expect(() => parse('--spawn --server-node-arg=cpu-prof')).toThrow(/Node.js option/);
  });

  it('reads the bare ingest peer as the target (the floor: no proctors)', () => {
    expect(parse('--spawn-bare --proctors 0 --server-cpus 0').target).toEqual({ kind: 'bare', serverCpus: '0' });
    expect(parse('--spawn-bare --proctors 0').target).toEqual({ kind: 'bare', serverCpus: null });
    expect(USAGE).toContain('--spawn-bare');
  });

  it('reads a URL target with the password from the environment', () => {
    const o = parse('--url http://proctor.school.example:8080/ --admin-email a@b.example', { VIGIL_LOADGEN_ADMIN_PASSWORD: 'pw' });
    expect(o.target).toEqual({ kind: 'url', url: 'http://proctor.school.example:8080', adminEmail: 'a@b.example', adminPassword: 'pw' });
  });

  it('takes the Sentinel count and default duration from a ramp', () => {
    const o = parse('--spawn --ramp 50,50,30,200');
    expect(o.sentinels).toBe(200);
    expect(o.durationMs).toBe(120_000);
    expect(parse('--spawn --ramp 50,50,30,200 --duration 10').durationMs).toBe(10_000);
    expect(parse('--spawn --ramp 50,50,30,200').joinRate).toBeNull();
    expect(parse('--spawn --ramp 50,50,30,200 --join-rate 20').joinRate).toBe(20);
    expect(parse('--spawn --ramp 50,50,30,200').settleS).toBeNull();
    expect(parse('--spawn --ramp 50,50,30,200 --join-rate 20 --settle 4').settleS).toBe(4);
  });

  it('disables a stop condition with 0 and names generated frame folders by size and rate', () => {
    expect(parse('--spawn --max-ack-p99 0 --max-unacked-age 2.5').thresholds).toMatchObject({ maxAckP99Ms: null, maxUnackedAgeMs: 2500 });
    expect(defaultFragmentsName(640, 360, 0.2)).toBe('testsrc2-640x360-0p2fps');
    expect(parse('--spawn --fragments chromium-1080p').fragments).toMatchObject({ dir: path.join(HOME, '.cache/vigil/bench/fragments/chromium-1080p'), generateIfMissing: false });
    expect(parse('--spawn --fragments-dir rel/dir').fragments).toMatchObject({ dir: path.resolve('rel/dir'), generateIfMissing: false });
  });

  it('answers help', () => {
    expect(parseCli(['--help'], {}, HOME)).toBe('help');
    expect(USAGE).toContain('--ramp START,STEP,EVERY,MAX');
  });

  it.each([
    ['', /give --spawn/],
    ['--spawn --url http://x', /give one of --spawn, --spawn-bare and --url/],
    ['--spawn --spawn-bare --proctors 0', /give one of --spawn, --spawn-bare and --url/],
    ['--spawn-bare', /--spawn-bare has no proctor side: give --proctors 0/],
    ['--spawn-bare --proctors 0 --server-env VIGIL_FSYNC=false', /--server-env is for --spawn/],
    ['--spawn-bare --proctors 0 --server-node-arg=--cpu-prof', /--server-node-arg is for --spawn/],
    ['--spawn-bare --proctors 0 --server-cpus x', /CPU list/],
    ['--spawn-bare --proctors 0 --keep', /--keep is for --url/],
    ['--url ftp://x --admin-email a@b.c', /http:\/\/ or https:\/\//],
    ['--url http://x', /--admin-email/],
    ['--url http://x --admin-email a@b.c', /--admin-password/],
    ['--spawn --fps 6', /--fps must be a number of frames per second in 0.2..5/],
    ['--spawn --sentinels 0', /--sentinels must be a whole number >= 1/],
    ['--spawn --proctors 1.5', /--proctors must be a whole number/],
    ['--spawn --watch all', /--watch must be spread or one/],
    ['--spawn --view big', /--view must be tile or focus/],
    ['--spawn --warmup=-1', /--warmup must be a number of seconds >= 0/],
    ['--spawn --ramp 1,1,1', /four numbers/],
    ['--spawn --ramp 1,1,1,2 --sentinels 5', /leave out --sentinels/],
    ['--spawn --join-rate 0', /--join-rate must be a number of Sentinels per second > 0/],
    ['--spawn --settle 3', /--settle is for --ramp/],
    ['--spawn --ramp 1,1,10,2 --settle=-1', /--settle must be a number of seconds >= 0/],
    ['--spawn --ramp 200,200,10,400 --join-rate 20 --settle 1', /--settle 1 leaves less than one judged second of a 10 s ramp step/],
    ['--spawn --server-env novalue', /KEY=VALUE/],
    ['--spawn --server-cpus abc', /CPU list/],
    ['--spawn --width 641', /even whole number/],
    ['--spawn --fragments a/b', /folder name/],
    ['--spawn --keep', /--keep is for --url/],
    ['--spawn --bogus', /Unknown option/],
  ])('refuses "%s"', (args, message) => {
    expect(() => parse(args)).toThrow(UsageError);
    expect(() => parse(args)).toThrow(message);
  });
});
