// CommonJS because Jest loads it directly; the preset is a CommonJS module too.
const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'fmp4',
  rootDir: __dirname,
};
