import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** The built Vigil server (dist/backend/main.js) running on a free port with a temporary data folder. */
export interface RunningServer {
  baseUrl: string;
  dataDir: string;
  logs: string[];
  /** The server's process id. */
  pid: number;
  /** Resolves with the exit code (null when killed by a signal) once the process ended. */
  exited: Promise<number | null>;
  /** SIGTERM, wait for the exit, then remove the data folder (unless it was given). */
  stop(): Promise<void>;
  /** Sends a signal (e.g. SIGKILL for crash tests) and waits for the exit; keeps the data folder. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Options of {@link startServer} for restart tests: the same port and data folder again. */
export interface StartOptions {
  port?: number;
  /** Used as is and never removed by `stop()`. */
  dataDir?: string;
}

/**
 * Starts the real server as a child process and waits until `/api/health` answers.
 * @throws Error with the server's output when it does not come up within 20 s
 */
export async function startServer(env: Record<string, string> = {}, options: StartOptions = {}): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'vigil-e2e-')));
  const logs: string[] = [];
  // VIGIL_E2E_SERVER_MAIN runs another build (e.g. an older commit's, to show a test fails there)
  const main = process.env['VIGIL_E2E_SERVER_MAIN'] ?? path.join(ROOT, 'dist/backend/main.js');
  const child: ChildProcess = spawn(process.execPath, ['--enable-source-maps', main], {
    cwd: ROOT,
    env: { ...process.env, VIGIL_PORT: String(port), VIGIL_DATA_DIR: dataDir, VIGIL_WEB_DIR: path.join(ROOT, 'dist'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => logs.push(String(d)));
  child.stderr?.on('data', (d) => logs.push(String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${logs.join('')}`);
    try {
      if ((await fetch(`${baseUrl}/api/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start within 20 s:\n${logs.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    baseUrl,
    dataDir,
    logs,
    pid: child.pid ?? -1,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        await exited;
      }
    },
  };
}
