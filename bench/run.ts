// `npm run bench`: gitcap's speed and memory per weight type and thread count, each configuration
// in a fresh process, optionally side by side with a peer (ONNX Runtime or PyTorch, bench/peers).
// See README "Benchmarks".
//
//   npm run bench -- --types q8_0,q4_0 --threads 2 --runs 3 --rounds 3 --peer ort --json bench.json

import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { GitcapError, isGitcapError } from '../core/errors.js';
import { BUSY_OTHERS_CPUS, isBusy } from './contention.js';
import { describeMachine, formatMachine } from './machine.js';
import { compileBench, measureInChild } from './measure.js';
import { ensureGguf, warmPageCache } from './models.js';
import { parseBenchOptions, USAGE, type BenchOptions } from './options.js';
import { ensureOnnx, formatOrt, formatOrtRatios, runOrtPeer, summarizeOrt, type OrtRun } from './ort-peer.js';
import { runPeer, type PeerResult } from './peer.js';
import { formatKernels, formatPeer, formatRatios, formatResultRow, formatResults, formatTargets, RESULTS_NOTE } from './report.js';
import { mergeRuns, peerRatios, summarize, type ConfigResult } from './results.js';
import type { OneRunResult } from './run-result.js';
import { checkTargets } from './targets.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

function runConvertBench(o: BenchOptions): Promise<void> {
  const script = fileURLToPath(new URL('./convert.ts', import.meta.url));
  const args = ['--import', 'tsx', script, o.modelDir, '--types', o.types.join(',')];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new GitcapError('E_BACKEND', `bench/convert.ts exited with code ${code}`))));
  });
}

async function main(argv: string[]): Promise<void> {
  const o = parseBenchOptions(argv);
  if (o.help) {
    console.log(USAGE);
    return;
  }
  const date = new Date().toISOString();
  const machine = describeMachine();
  console.log(`gitcap benchmark, ${date}`);
  console.log(formatMachine(machine));
  console.log(`workload: ${o.modelDir}, the frames in ${o.frames}, ${o.tokens} new tokens (eos suppressed), 1 warm-up + ${o.runs} timed runs`);

  compileBench();
  const ortDir = o.peer === 'ort' ? await ensureOnnx(o.modelDir, o.cacheDir, log) : undefined;
  const ggufs = new Map<string, string>();
  for (const type of o.types) ggufs.set(type, await ensureGguf(o.modelDir, o.cacheDir, type, log));
  // every round runs each configuration (and the ONNX Runtime peer) once, so that a change in the
  // machine's load falls on all of them alike
  const measured = new Map<string, OneRunResult[]>();
  const ortRuns = new Map<number, OrtRun[]>();
  let headerShown = false;
  for (let round = 0; round < o.rounds; round++) {
    for (const type of o.types) {
      for (const threads of o.threads) {
        const gguf = ggufs.get(type)!;
        await warmPageCache(gguf);
        const r = await measureInChild({ model: gguf, threads, runs: o.runs, tokens: o.tokens, frames: o.frames });
        measured.set(`${type}/${threads}`, [...(measured.get(`${type}/${threads}`) ?? []), r]);
        if (!headerShown) {
          console.log(`\n${formatResults([]).split('\n').slice(0, 2).join('\n')}`);
          headerShown = true;
        }
        console.log(formatResultRow(summarize(type, r)));
      }
    }
    for (const threads of ortDir ? o.threads : []) {
      const r = await runOrtPeer(ortDir!, threads, o.runs, o.tokens, log);
      ortRuns.set(threads, [...(ortRuns.get(threads) ?? []), r]);
      log(`round ${round + 1}: ONNX Runtime int8, ${threads} threads: total ${r.runs.map((x) => x.totalMs.toFixed(0)).join(', ')} ms`);
    }
  }
  const configs: ConfigResult[] = [];
  for (const type of o.types) {
    for (const threads of o.threads) configs.push(summarize(type, mergeRuns(measured.get(`${type}/${threads}`)!)));
  }
  if (o.rounds > 1) console.log(`\nall ${o.rounds} rounds:\n${formatResults(configs)}`);
  console.log(RESULTS_NOTE);
  if (configs.length > 0) console.log(`caption (${configs[0]!.type}): "${configs[0]!.text}"`);
  if (configs.length > 0) console.log(formatKernels(configs));

  const ort = [...ortRuns.values()].map(summarizeOrt);
  if (ort.length > 0) {
    console.log(`\n${formatOrt(ort)}`);
    console.log(`\ngitcap vs ONNX Runtime int8 (gitcap / ORT: below 1 is faster or smaller; total = vision + prefix + decode, ` +
      `as the peer starts from preprocessed pixels):\n${formatOrtRatios(configs, ort)}`);
  }

  if (o.convert) {
    console.log('\nconversion (bench/convert.ts):');
    await runConvertBench(o);
  }

  let peer: PeerResult | undefined;
  if (o.peer !== undefined && o.peer !== 'ort') {
    const command = o.peer === 'torch'
      ? `${process.env.PYTHON ?? '/usr/bin/python3'} bench/peers/torch_peer.py ${o.modelDir} --no-write --frames ${o.frames} --runs-hf 1`
      : o.peer;
    console.log('\nrunning the PyTorch peer (its output goes to stderr)...');
    peer = await runPeer(command);
    console.log(formatPeer(peer));
    console.log(`\ngitcap vs the peer (peer time / gitcap time; peer RSS / gitcap RSS):\n${formatRatios(configs, peer)}`);
  }

  const targets = checkTargets(configs, peer);
  if (targets.length > 0) console.log(`\ntargets:\n${formatTargets(targets)}`);

  const busy = configs.filter((c) => isBusy(c.othersCpus)).length + (peer && isBusy(peer.othersCpus) ? 1 : 0);
  if (busy > 0) {
    console.log(`\nWARNING: other processes kept more than ${BUSY_OTHERS_CPUS} CPU busy during ${busy} of ` +
      `${configs.length + (peer ? 1 : 0)} measurements (marked !): those timings are too slow; rerun on an idle machine.`);
  }

  if (o.json !== undefined) {
    const report = {
      schema: 'gitcap-bench/1',
      date,
      argv,
      options: o,
      machine,
      loadAverage1mAtEnd: os.loadavg()[0],
      configs,
      peer: peer ?? null,
      ort: ort.length > 0 ? { summaries: ort, processes: Object.fromEntries(ortRuns) } : null,
      ratios: peer ? configs.map((c) => peerRatios(c, peer)) : null,
      targets,
    };
    await writeFile(o.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nJSON: ${o.json}`);
  }
}

try {
  await main(process.argv.slice(2));
} catch (err) {
  log(isGitcapError(err) ? `gitcap bench: ${err.message}` : String((err as Error).stack ?? err));
  process.exitCode = 1;
}
