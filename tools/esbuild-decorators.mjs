// esbuild plugin: transpile TypeScript with the TypeScript compiler itself (file by file,
// like ts-loader's transpileOnly), so NestJS gets `design:paramtypes` decorator metadata,
// which esbuild does not emit. esbuild still resolves, bundles and minifies.
import { readFile } from 'node:fs/promises';
import ts from 'typescript';

/** @param {import('typescript').CompilerOptions} compilerOptions */
export function typescriptDecoratorsPlugin(compilerOptions = {}) {
  return {
    name: 'typescript-decorators',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes('node_modules')) return undefined;
        const source = await readFile(args.path, 'utf8');
        const out = ts.transpileModule(source, {
          fileName: args.path,
          compilerOptions: {
            target: ts.ScriptTarget.ES2022,
            module: ts.ModuleKind.ESNext,
            experimentalDecorators: true,
            emitDecoratorMetadata: true,
            useDefineForClassFields: false,
            sourceMap: false,
            inlineSourceMap: true,
            inlineSources: true,
            ...compilerOptions,
          },
        });
        return { contents: out.outputText, loader: 'js' };
      });
    },
  };
}
