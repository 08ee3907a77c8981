// Preloaded (node -r) into every Jazzer.js process by fuzz/run.mjs: when VIGIL_JAZZER_ADDON
// names a patched copy of @jazzer.js/fuzzer's prebuilt addon (see jazzer-native.mjs),
// load that file instead of the prebuild. Nothing else changes.
'use strict';
const Module = require('node:module');
const path = require('node:path');

const replacement = process.env.VIGIL_JAZZER_ADDON;
if (replacement) {
  const original = Module._extensions['.node'];
  Module._extensions['.node'] = function loadNode(module, filename) {
    const isPrebuild = /^fuzzer-[a-z0-9]+-[a-z0-9]+\.node$/.test(path.basename(filename)) && filename.includes(`${path.sep}@jazzer.js${path.sep}`);
    return original.call(this, module, isPrebuild ? replacement : filename);
  };
}
