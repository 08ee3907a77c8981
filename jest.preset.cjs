/**
 * Shared Jest preset: ts-jest in transpile-only mode (isolatedModules), so
 * NestJS decorator metadata is emitted and tests start fast. Type checking
 * is done by each project's `typecheck` target (tsc --noEmit).
 */
const path = require('node:path');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: path.join(__dirname, 'tsconfig.spec.json'),
        diagnostics: false,
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@vigil/api$': path.join(__dirname, 'libs/api/src/index.ts'),
    '^@vigil/fmp4$': path.join(__dirname, 'libs/fmp4/src/index.ts'),
    '^@vigil/protocol$': path.join(__dirname, 'libs/protocol/src/index.ts'),
    '^@vigil/protocol/media$': path.join(__dirname, 'libs/protocol/src/media.ts'),
  },
  testMatch: ['**/*.spec.ts'],
};
