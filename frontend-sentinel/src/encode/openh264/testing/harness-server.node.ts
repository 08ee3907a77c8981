/**
 * Serves the encoder harness (testing/encoder-harness.ts, bundled here with esbuild) and the
 * built OpenH264 fallback (dist/frontend-sentinel/openh264/) on http://127.0.0.1:<port>, a
 * secure context as WebCodecs requires. For the Chromium benchmark; Node only.
 */
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { repositoryRoot } from './load-openh264.node';

/** A running harness server. */
export interface HarnessServer {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.map': 'application/json',
};

/**
 * Bundles the harness and starts the server.
 * @throws Error when the Sentinel (with its OpenH264 worker and wasm) is not built
 */
export async function startHarnessServer(): Promise<HarnessServer> {
  const root = repositoryRoot();
  const openh264Dir = path.join(root, 'dist', 'frontend-sentinel', 'openh264');
  for (const file of ['openh264-worker.js', 'openh264.js', 'openh264.wasm']) {
    if (!existsSync(path.join(openh264Dir, file))) {
      throw new Error(
        `dist/frontend-sentinel/openh264/${file} is missing: run \`bash tools/openh264-wasm/build.sh && node frontend-sentinel/build.mjs\``,
      );
    }
  }
  const bundle = await build({
    entryPoints: [path.join(root, 'frontend-sentinel', 'src', 'encode', 'openh264', 'testing', 'encoder-harness.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    tsconfig: path.join(root, 'frontend-sentinel', 'tsconfig.json'),
    logLevel: 'warning',
  });
  const harnessJs = bundle.outputFiles[0].contents;
  const html = '<!doctype html><meta charset="utf-8"><title>encoder harness</title><script type="module" src="/harness.js"></script>';
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(html);
      } else if (url.pathname === '/harness.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(harnessJs);
      } else if (/^\/openh264\/[\w.-]+$/.test(url.pathname)) {
        const file = path.join(openh264Dir, path.basename(url.pathname));
        try {
          const body = await readFile(file);
          res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(req.method === 'HEAD' ? undefined : body);
        } catch {
          res.writeHead(404).end();
        }
      } else {
        res.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
