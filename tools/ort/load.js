// ONNX Runtime for node, installed in this folder (npm ci --ignore-scripts): scripts elsewhere in the tree
// require this file, so module resolution finds tools/ort/node_modules wherever they live.
'use strict';
try {
  module.exports = require('onnxruntime-node');
} catch (error) {
  throw new Error(`onnxruntime-node is not installed in ${__dirname} (${error.message}); ` +
                  'run scripts/install-deps.sh or: npm ci --ignore-scripts --prefix tools/ort');
}
