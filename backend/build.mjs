// Bundles the NestJS server into dist/backend/main.js (Node 20, CommonJS).
// Node packages stay external (installed by npm); our libs are bundled from source.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { typescriptDecoratorsPlugin } from '../tools/esbuild-decorators.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [path.join(root, 'backend/src/main.ts')],
  outfile: path.join(root, 'dist/backend/main.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  packages: 'external',
  tsconfig: path.join(root, 'backend/tsconfig.app.json'),
  plugins: [typescriptDecoratorsPlugin()],
  logLevel: 'info',
});
