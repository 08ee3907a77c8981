/** Unit tests for the pure TypeScript parts (player pipeline, live-edge policy, formatting). */
module.exports = {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- Jest loads this CommonJS config with require().
  ...require('../jest.preset.cjs'),
  displayName: 'frontend-proctor',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
