// CommonJS because Jest loads it directly; the preset is a CommonJS module too.
// Unit tests for the pure TypeScript parts: player pipeline, live-edge policy, formatting.
const preset = require('../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'frontend-proctor',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
