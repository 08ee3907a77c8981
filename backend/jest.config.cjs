module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'backend',
  rootDir: __dirname,
  // Some suite leaves a timer or socket open after its last test (every test passes and
  // closes its servers); until it is found with --detectOpenHandles, do not let it hang CI.
  forceExit: true,
};
