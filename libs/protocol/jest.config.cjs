// CommonJS config file read by Jest itself: require() is the only way to load the preset here.
/* eslint-disable @typescript-eslint/no-require-imports */
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'protocol',
  rootDir: __dirname,
};
