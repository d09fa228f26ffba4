#!/usr/bin/env node
// ONNX Runtime (CPU) throughput and latency on a model, measured exactly as `qatrt bench` measures a plan,
// so the two can be put side by side:
//   node bench/ort_bench.js --model M.onnx --batch N [--iterations K] [--duration S] [--warmUp MS]
//        [--threads T] [--optimization all|extended|basic|disabled] [--exportTimes F.json]
// Same as qatrt bench (tools/qatrt/bench_command.cc): two sets of uniform(-1, 1) random inputs alternated;
// warm-up until warmUp ms have passed (at least one run); run at least K iterations and at least S seconds
// (only --iterations: exactly K; neither: K = 10, S = 3); throughput = iterations / walltime from the first
// start to the last end; trtexec percentiles; --exportTimes writes [{startMs, endMs, latencyMs}, ...].
// Threads: one intra-op pool of T threads, nodes run sequentially (qatrt's --threads T). Each timed
// iteration is one `await session.run()`, so the N-API call and promise hop are inside the timing (tens of
// microseconds: negligible at ResNet-50 scale, visible on tiny models).
'use strict';
const fs = require('fs');
const {ort, parseArgs, createSession, inputSignature} = require('../tools/ort/options.js');

const USAGE = `usage: node bench/ort_bench.js --model M.onnx --batch N [--iterations K] [--duration S]
         [--warmUp MS] [--threads T] [--optimization all|extended|basic|disabled] [--exportTimes F.json]`;

// mt19937 is what qatrt uses; any fixed generator will do for timing, this one is small and seeded.
function uniformFiller(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 4294967296) * 2 - 1;
  };
}

function percentile(sorted, p) {
  const n = sorted.length;
  const exclude = Math.floor((1 - p / 100) * n);
  return sorted[Math.min(Math.max(n - 1 - exclude, 0), n - 1)];
}

function median(sorted) {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

async function main() {
  const spec = {model: '', batch: '1', iterations: '', duration: '', warmUp: '200', threads: '0',
                optimization: 'all', exportTimes: ''};
  const {options, positional} = parseArgs(process.argv.slice(2), spec, USAGE);
  if (!options.model || positional.length) throw new Error(USAGE);
  const batch = Number(options.batch);
  const threads = Number(options.threads);
  const iterationsGiven = options.iterations !== '';
  const durationGiven = options.duration !== '';
  const iterations = iterationsGiven ? Number(options.iterations) : 10;
  const durationMs = (durationGiven ? Number(options.duration) : 3) * 1000;
  if (!(batch > 0 && iterations > 0 && durationMs >= 0 && threads >= 0)) throw new Error(USAGE);

  // intraOpNumThreads 0 = ORT's default (all physical cores), like qatrt's --threads 0.
  const session = await createSession(options.model, threads, options.optimization);
  const input = inputSignature(session);
  const shape = [batch, ...input.sampleShape];
  const count = shape.reduce((a, b) => a * b, 1);
  const next = uniformFiller(2024);
  const inputSets = [0, 1].map(() => {
    const data = new Float32Array(count);
    for (let i = 0; i < count; ++i) data[i] = next();
    return {[input.name]: new ort.Tensor('float32', data, shape)};
  });
  console.log(`=== Model ===\nmodel ${options.model}, batch ${batch}, ORT ${ort.env.versions.node} cpu, ` +
              `threads ${threads > 0 ? threads : 'all'}, graph optimization ${options.optimization}`);
  console.log(`input ${input.name}: float32[${shape.join(',')}] (random)`);

  const warmStart = nowMs();
  let warmRuns = 0;
  do {
    await session.run(inputSets[warmRuns % 2]);
    ++warmRuns;
  } while (nowMs() - warmStart < Number(options.warmUp));
  const warmMs = nowMs() - warmStart;

  const timeBound = durationGiven || !iterationsGiven;
  const countBound = iterationsGiven || !durationGiven;
  const timings = [];
  const clockStart = nowMs();
  while ((countBound && timings.length < iterations) || (timeBound && nowMs() - clockStart < durationMs) ||
         timings.length === 0) {
    const start = nowMs() - clockStart;
    await session.run(inputSets[timings.length % 2]);
    timings.push({startMs: start, endMs: nowMs() - clockStart});
  }

  const latencies = timings.map((t) => t.endMs - t.startMs).sort((a, b) => a - b);
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  const walltimeMs = timings[timings.length - 1].endMs - timings[0].startMs;
  const qps = timings.length / (walltimeMs / 1000);
  const f = (x) => x.toFixed(4);
  console.log('=== Performance summary ===');
  console.log(`Throughput: ${qps.toFixed(3)} qps, ${(qps * batch).toFixed(2)} images/s (batch ${batch})`);
  console.log(`Latency: min = ${f(latencies[0])} ms, max = ${f(latencies[latencies.length - 1])} ms, ` +
              `mean = ${f(mean)} ms, median = ${f(median(latencies))} ms, ` +
              `percentile(90%) = ${f(percentile(latencies, 90))} ms, ` +
              `percentile(95%) = ${f(percentile(latencies, 95))} ms, ` +
              `percentile(99%) = ${f(percentile(latencies, 99))} ms`);
  console.log(`Total Host Walltime: ${f(walltimeMs / 1000)} s`);
  console.log(`Iterations: ${timings.length} timed, ${warmRuns} warm-up (${warmMs.toFixed(1)} ms)`);
  if (options.exportTimes) {
    const rows = timings.map((t) => ({startMs: t.startMs, endMs: t.endMs, latencyMs: t.endMs - t.startMs}));
    fs.writeFileSync(options.exportTimes, JSON.stringify(rows, null, 2) + '\n');
    console.log(`Timings written to ${options.exportTimes}`);
  }
}

main().catch((error) => {
  console.error(`ort_bench: ${error.message}`);
  process.exit(1);
});
