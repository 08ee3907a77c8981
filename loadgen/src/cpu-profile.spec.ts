import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FILE_SYSTEM_CALLS, SOCKET_CALLS, bundleResolver, frameCategory, profileBreakdown, readCpuProfile, type CpuProfile } from './cpu-profile';

jest.setTimeout(60_000);

const root = path.resolve(__dirname, '../..');
let dir: string;
let script: string;
let profile: CpuProfile;
/** CLOCK_MONOTONIC µs the profiled script printed: start, fMP4 phase over, protocol phase over. */
let marks: number[];

// A real bundle with a source map (as the server's main.js), run under the real V8 profiler:
// 400 ms parsing fMP4 fragments with libs/fmp4, then 400 ms of media headers with libs/protocol.
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-cpu-profile-'));
  const entry = path.join(dir, 'profiled.ts');
  writeFileSync(
    entry,
    `import { parseFragment, writeFragment } from '@vigil/fmp4';
import { MediaKind, encodeMediaHeader, readMediaHeader } from '@vigil/protocol';
const mark = () => console.log(String(process.hrtime.bigint() / 1000n));
const fragment = writeFragment({ sequenceNumber: 1, baseMediaDecodeTime: 0, duration: 90000, isSync: true, sample: new Uint8Array(3000), captureTimeMs: Date.now() });
let n = 0;
mark();
for (const t = Date.now(); Date.now() - t < 400; ) n += parseFragment(fragment).sampleCount;
mark();
for (const t = Date.now(); Date.now() - t < 400; ) n += readMediaHeader(encodeMediaHeader({ kind: MediaKind.Fragment, flags: 0, channel: 1, sequence: (n & 0xffff) + 1 })).channel;
mark();
if (n < 0) console.log(n);
`,
  );
  script = path.join(dir, 'profiled.js');
  await build({ entryPoints: [entry], outfile: script, bundle: true, platform: 'node', format: 'cjs', sourcemap: true, tsconfig: path.join(root, 'tsconfig.base.json'), logLevel: 'warning' });
  const out = execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, script], { encoding: 'utf8' });
  marks = out.trim().split('\n').map(Number);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  profile = readCpuProfile(path.join(dir, file!));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const share = (rows: { category: string; share: number }[], category: string) => rows.find((r) => r.category === category)?.share ?? 0;
const FMP4 = 'fMP4 parsing and writing (libs/fmp4)';
const PROTOCOL = 'wire messages (libs/protocol)';

it('maps the bundle back to its sources and sums self time by category', () => {
  const b = profileBreakdown(profile, bundleResolver(script));
  expect(b.busyMs).toBeGreaterThan(600);
  expect(b.wallMs).toBeGreaterThanOrEqual(b.busyMs);
  expect(share(b.rows, FMP4)).toBeGreaterThan(0.2);
  expect(share(b.rows, PROTOCOL)).toBeGreaterThan(0.2);
  expect(b.rows.reduce((a, r) => a + r.share, 0)).toBeCloseTo(1, 6);
  for (let i = 1; i < b.rows.length; i++) expect(b.rows[i]!.ms).toBeLessThanOrEqual(b.rows[i - 1]!.ms);
  expect(b.rows.map((r) => r.category)).not.toContain('idle');
});

it('counts only the samples inside a window on the profile clock (process.hrtime)', () => {
  const [start, fmp4Done, protocolDone] = marks as [number, number, number];
  expect(start).toBeGreaterThanOrEqual(profile.startTime);
  expect(protocolDone).toBeLessThanOrEqual(profile.endTime);
  const fmp4Phase = profileBreakdown(profile, bundleResolver(script), { fromUs: start, toUs: fmp4Done });
  const protocolPhase = profileBreakdown(profile, bundleResolver(script), { fromUs: fmp4Done, toUs: protocolDone });
  expect(fmp4Phase.wallMs).toBeGreaterThan(350);
  expect(fmp4Phase.wallMs).toBeLessThan(450);
  expect(share(fmp4Phase.rows, FMP4)).toBeGreaterThan(0.5);
  expect(share(fmp4Phase.rows, PROTOCOL)).toBeLessThan(0.05);
  expect(share(protocolPhase.rows, PROTOCOL)).toBeGreaterThan(0.5);
  expect(share(protocolPhase.rows, FMP4)).toBeLessThan(0.05);
});

it('names frames by where they come from', () => {
  const none = () => null;
  const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0, columnNumber: 0 });
  expect(frameCategory(frame('(garbage collector)', ''), none)).toBe('garbage collection');
  expect(frameCategory(frame('writev', ''), none, frame('writevGeneric', 'node:internal/stream_base_commons'))).toBe(SOCKET_CALLS);
  expect(frameCategory(frame('writeBuffer', ''), none, frame('write', 'node:internal/fs/promises'))).toBe(FILE_SYSTEM_CALLS);
  expect(frameCategory(frame('writeBuffer', ''), none, frame('writeGeneric', 'node:internal/stream_base_commons'))).toBe(SOCKET_CALLS);
  expect(frameCategory(frame('send', 'file:///srv/node_modules/ws/lib/sender.js'), none)).toBe('WebSocket framing (ws)');
  expect(frameCategory(frame('next', 'file:///srv/node_modules/rxjs/dist/cjs/internal/Subscriber.js'), none)).toBe('RxJS pipeline (rxjs)');
  expect(frameCategory(frame('x', 'file:///srv/node_modules/@libsql/client/index.js'), none)).toBe('database driver');
  expect(frameCategory(frame('emit', 'node:events'), none)).toBe('Node core (streams, net, fs, timers, events)');
  expect(frameCategory(frame('f', 'file:///srv/main.js'), none)).toBe('server code (unmapped)');
  expect(frameCategory(frame('f', 'file:///srv/main.js'), () => '../../backend/src/recording/recording-store.ts')).toBe('recording writer (backend/src/recording)');
});

it('refuses a profile whose samples and time deltas do not pair up', () => {
  expect(() => profileBreakdown({ ...profile, timeDeltas: profile.timeDeltas.slice(1) }, () => null)).toThrow(/samples but .* time deltas/);
});
