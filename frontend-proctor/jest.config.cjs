// CommonJS because Jest loads it directly; the preset is a CommonJS module too.
// Unit tests for the pure TypeScript parts: player pipeline, live-edge policy, formatting.
const preset = require('../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'frontend-proctor',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // The portal imports csv-parse's browser build (ES module, with a Buffer shim); under Jest
  // (Node, CommonJS) the same parser comes from its Node build.
  moduleNameMapper: { ...preset.moduleNameMapper, '^csv-parse/browser/esm/sync$': 'csv-parse/sync' },
};
