#!/usr/bin/env node
// `npm start`: builds every project (Nx caches unchanged ones) and starts the server,
// which serves the Sentinel at /sentinel/ and the Proctor portal at /.
// Environment variables are documented in backend/src/config/vigil-config.ts and README.md.
import { spawnSync, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.error('\nVigil: the build failed (see above); the server was not started.');
  process.exit(build.status ?? 1);
}
// on one CPU, V8's collector without helper threads (they would take the core from the event
// loop): the rule and its measurements are in backend/src/gc-threads.ts
const gc = availableParallelism() <= 1 ? ['--single-threaded-gc'] : [];
const server = spawn(process.execPath, ['--enable-source-maps', ...gc, 'dist/backend/main.js'], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
