// Command-line parsing and session options shared by scripts/ort_run.js and bench/ort_bench.js.
'use strict';
const ort = require('./load.js');

// Parses "--name value" pairs and bare "--flag"s; everything else is positional. `spec` maps each option
// to its default (a boolean default marks a flag); an unknown option is an error.
function parseArgs(argv, spec, usage) {
  const options = {...spec};
  const positional = [];
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const name = arg.slice(2);
    if (!(name in spec)) throw new Error(`unknown option ${arg}\n${usage}`);
    if (typeof spec[name] === 'boolean') {
      options[name] = true;
    } else {
      if (i + 1 >= argv.length) throw new Error(`option ${arg} needs a value\n${usage}`);
      options[name] = argv[++i];
    }
  }
  return {options, positional};
}

const OPTIMIZATION_LEVELS = ['disabled', 'basic', 'extended', 'all'];

// One thread pool of `threads` for the ops (intra-op), nodes run one after another (no inter-op pool):
// the same setting as `qatrt bench --threads`.
async function createSession(modelPath, threads, optimization) {
  if (!OPTIMIZATION_LEVELS.includes(optimization)) {
    throw new Error(`--optimization ${optimization}: expected one of ${OPTIMIZATION_LEVELS.join(', ')}`);
  }
  return ort.InferenceSession.create(modelPath, {
    executionProviders: ['cpu'],
    intraOpNumThreads: Number(threads),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: optimization,
  });
}

// The model's single input: its name and its shape without the batch axis (all dims must be fixed).
function inputSignature(session) {
  if (session.inputNames.length !== 1) {
    throw new Error(`expected a model with one input, got ${session.inputNames.join(', ')}`);
  }
  const meta = session.inputMetadata[0];
  const sampleShape = meta.shape.slice(1);
  if (!sampleShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`input '${meta.name}' has shape [${meta.shape}]: only the batch axis may be symbolic`);
  }
  if (meta.type !== 'float32') throw new Error(`input '${meta.name}' is ${meta.type}, expected float32`);
  return {name: meta.name, sampleShape};
}

module.exports = {ort, parseArgs, createSession, inputSignature};
