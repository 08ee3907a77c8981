/**
 * The command line (I/O): parse, pin, run, print the summary (stdout) with progress lines
 * (stderr) every second, write `--json`. Ctrl+C ends capture early (drain and summary still
 * happen); a second Ctrl+C quits at once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { USAGE, UsageError, parseCli } from './cli-options';
import { formatProgress, formatSummary } from './report';
import { runLoadgen } from './run';

/**
 * Runs the load generator with `argv` (without `node` and the script).
 * @returns the exit code: 0 pass, 1 fail (see the summary), 2 usage or setup error
 */
export async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseCli(argv, process.env, os.homedir(), existsSync);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (options.loadgenCpus !== null) {
    execFileSync('taskset', ['-a', '-p', '-c', options.loadgenCpus, String(process.pid)], { stdio: 'ignore' });
    log(`load generator pinned: taskset -c ${options.loadgenCpus}`);
  }
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130);
    log('interrupted: stopping capture, draining the backlog (Ctrl+C again to quit at once) …');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const summary = await runLoadgen(options, {
      log,
      progress: options.quiet ? undefined : (s) => log(formatProgress(s)),
      signal: abort.signal,
    });
    process.stdout.write(`${formatSummary(summary)}\n`);
    if (options.jsonPath) {
      writeFileSync(options.jsonPath, `${JSON.stringify(summary, null, 2)}\n`);
      log(`summary written to ${options.jsonPath}`);
    }
    return summary.result === 'pass' ? 0 : 1;
  } catch (e) {
    log(`loadgen: ${(e as Error).message}`);
    return 2;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
