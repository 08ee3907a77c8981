module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'frontend-sentinel',
  rootDir: __dirname,
};
