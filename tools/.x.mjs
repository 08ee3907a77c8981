import { build } from 'esbuild';
import path from 'node:path';
import { typescriptDecoratorsPlugin } from './esbuild-decorators.mjs';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const file = process.argv[2];
const outfile = path.join(root, 'tmp/bench', path.basename(file).replace(/\.ts$/, '.x.cjs'));
await build({ entryPoints: [path.join(root, file)], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', tsconfig: path.join(root, 'tsconfig.base.json'), plugins: [typescriptDecoratorsPlugin()], logLevel: 'warning' });
console.log(outfile);
