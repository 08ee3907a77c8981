#!/usr/bin/env node
// `npm run reliability`: the long fault campaign of docs/reliability.md, outside `npm test`
// (which runs the short versions): the server SIGKILLed VIGIL_KILL_ROUNDS times (default 30)
// while a Sentinel streams, the real full disk, and the hostile clients, against the built
// server (builds it first). Prints the figures; docs/reliability.md quotes them with the date.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = process.env.VIGIL_KILL_ROUNDS ?? '30';
execFileSync('npx', ['nx', 'run', 'backend:build', '--outputStyle=static'], { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' } });
const run = spawnSync('npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts', 'e2e/reliability'], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, VIGIL_KILL_ROUNDS: rounds },
  maxBuffer: 64 << 20,
});
process.stdout.write(run.stdout);
process.stderr.write(run.stderr);
const figures = /KILL9_FIGURES (\{.*\})/.exec(run.stdout);
if (figures) {
  const f = JSON.parse(figures[1]);
  console.log(`\nkill -9: ${f.kills} kills, ${f.fragments} fragments, ${f.lost} acknowledged lost, ` +
    `${f.tornTailsMended} torn tails mended; Sentinel resumed ${f.resumeMsMedian} ms (median) / ${f.resumeMsMax} ms (max) after the restarted ` +
    `server answered; kill to resumed stream ${f.killToResumeMsMedian} ms (median; min ${f.killToResumeMsMin}, max ${f.killToResumeMsMax})`);
}
process.exit(run.status ?? 1);
