#!/usr/bin/env node
// Runs an ONNX model with ONNX Runtime (CPU) on raw float32 input files and writes the outputs as raw
// float32, one file per input, named like the input, in --outdir. Prints top-1 per sample.
// An input file holds one sample or several (its size must be a multiple of the model's sample size).
'use strict';
const fs = require('fs');
const path = require('path');
const {ort, parseArgs, createSession, inputSignature} = require('../tools/ort/options.js');

const USAGE = `usage: node scripts/ort_run.js --model M.onnx --outdir DIR [--threads T]
         [--optimization disabled|basic|extended|all] INPUT.f32...
  --optimization disabled runs every QuantizeLinear/DequantizeLinear as written (float emulation of the
  Q/DQ model); 'all' (default) lets ORT fuse Q/DQ patterns into its int8 kernels.`;

function readFloat32(file) {
  const bytes = fs.readFileSync(file);
  if (bytes.length % 4 !== 0) throw new Error(`${file}: ${bytes.length} bytes is not a whole number of float32`);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
}

function top2(row) {
  let best = 0;
  let second = row.length > 1 ? 1 : 0;
  if (row.length > 1 && row[1] > row[0]) [best, second] = [1, 0];
  for (let k = 2; k < row.length; ++k) {
    if (row[k] > row[best]) [best, second] = [k, best];
    else if (row[k] > row[second]) second = k;
  }
  return [best, second];
}

async function main() {
  const {options, positional} = parseArgs(process.argv.slice(2),
                                          {model: '', outdir: '', threads: '1', optimization: 'all'}, USAGE);
  if (!options.model || !options.outdir || positional.length === 0) throw new Error(USAGE);
  const session = await createSession(options.model, options.threads, options.optimization);
  const input = inputSignature(session);
  const sampleSize = input.sampleShape.reduce((a, b) => a * b, 1);
  const outputName = session.outputNames[0];
  fs.mkdirSync(options.outdir, {recursive: true});

  for (const file of positional) {
    const data = readFloat32(file);
    if (data.length % sampleSize !== 0) {
      throw new Error(`${file}: ${data.length} floats is not a multiple of the sample size ` +
                      `${sampleSize} ([${input.sampleShape}])`);
    }
    const batch = data.length / sampleSize;
    const feeds = {[input.name]: new ort.Tensor('float32', data, [batch, ...input.sampleShape])};
    const output = (await session.run(feeds))[outputName];
    const outFile = path.join(options.outdir, path.basename(file));
    fs.writeFileSync(outFile, Buffer.from(output.data.buffer, output.data.byteOffset, output.data.byteLength));
    const rowSize = output.data.length / batch;
    for (let b = 0; b < batch; ++b) {
      const row = output.data.subarray(b * rowSize, (b + 1) * rowSize);
      const [best, second] = top2(row);
      const sample = batch > 1 ? `${path.basename(file)}[${b}]` : path.basename(file);
      console.log(`${sample} top1=${best} logit=${row[best].toFixed(6)} margin=${(row[best] - row[second]).toFixed(6)}`);
    }
  }
}

main().catch((error) => {
  console.error(`ort_run: ${error.message}`);
  process.exit(1);
});
