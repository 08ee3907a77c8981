// CommonJS config file read by Jest itself: require() is the only way to load the preset here.
module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'loadgen',
  rootDir: __dirname,
};
