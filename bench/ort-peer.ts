// The ONNX Runtime peer (bench/peers/ort): the same model exported to ONNX from the bench's PyTorch
// implementation, int8 in quantize_dynamic's pattern, run by onnxruntime-node (a devDependency) in its
// own process. The graphs are exported once into the cache folder; `npm run bench -- --peer ort`
// times the peer between gitcap's configurations (see run.ts).
import { spawn } from 'node:child_process';
import { access, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GitcapError } from '../core/errors.js';
import type { QuantType } from '../weights-convert/quant-types.js';
import type { ConfigResult } from './results.js';
import { median } from './stats.js';
import { fixed, formatTable } from './table.js';

const PEERS = fileURLToPath(new URL('./peers/', import.meta.url));
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

/** What ort-peer.mjs prints (one JSON line), the figures the bench reads. */
export interface OrtRun {
  engine: string;
  graphs: string;
  threads: number;
  loadMs: number;
  othersCpus: number | null;
  peakRssMiB: number;
  ids: number[];
  runs: { visionMs: number; prefixMs: number; decodeMs: number; perTokenMs: number; totalMs: number }[];
}

function run(cmd: string, args: string[], log: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => d.split('\n').filter(Boolean).forEach((l) => log(`ort | ${l}`)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new GitcapError('E_BACKEND', `${cmd} ${args.join(' ')} exited with code ${code}`))));
  });
}

const exists = (p: string) => access(p).then(() => true, () => false);

/** The folder of the exported graphs (f32 and _int8) of `modelDir`, exporting them when missing or stale. */
export async function ensureOnnx(modelDir: string, cacheDir: string, log: (line: string) => void): Promise<string> {
  const dir = join(cacheDir, 'onnx');
  const weights = (await stat(join(modelDir, 'model.safetensors'))).mtimeMs;
  const last = join(dir, 'step_int8.onnx');
  if ((await exists(last)) && (await stat(last)).mtimeMs >= weights) return dir;
  await mkdir(dir, { recursive: true });
  log(`exporting ${modelDir} to ONNX (f32, then int8): ${dir}`);
  log(await run(PYTHON, [join(PEERS, 'ort/export_onnx.py'), modelDir, dir], log));
  for (const g of ['vision', 'prefix', 'step']) {
    log(await run(PYTHON, [join(PEERS, 'ort/quantize_int8.py'), join(dir, `${g}.onnx`), join(dir, `${g}_int8.onnx`)], log));
  }
  return dir;
}

/** One process of the peer: load, a warm-up caption, `runs` timed ones. */
export async function runOrtPeer(dir: string, threads: number, runs: number, tokens: number, log: (line: string) => void): Promise<OrtRun> {
  const out = await run(process.execPath, [join(PEERS, 'ort/ort-peer.mjs'), '--dir', dir, '--suffix', '_int8', '--threads', String(threads),
    '--runs', String(runs), '--tokens', String(tokens)], log);
  const line = out.trim().split('\n').pop() ?? '';
  if (!line.startsWith('{')) throw new GitcapError('E_BACKEND', 'the ONNX Runtime peer printed no JSON line');
  return JSON.parse(line) as OrtRun;
}

/** The peer's runs of every process at one thread count, as one set of medians. */
export interface OrtSummary {
  threads: number;
  visionMs: number;
  prefixMs: number;
  perTokenMs: number;
  totalMs: number;
  peakRssMiB: number;
  othersCpus: number | null;
  ids: number[];
  processes: number;
}

export function summarizeOrt(results: OrtRun[]): OrtSummary {
  const runs = results.flatMap((r) => r.runs);
  const others = results.map((r) => r.othersCpus).filter((v): v is number => v !== null);
  return {
    threads: results[0]!.threads,
    visionMs: median(runs.map((r) => r.visionMs)),
    prefixMs: median(runs.map((r) => r.prefixMs)),
    perTokenMs: median(runs.map((r) => r.perTokenMs)),
    totalMs: median(runs.map((r) => r.totalMs)),
    peakRssMiB: Math.max(...results.map((r) => r.peakRssMiB)),
    othersCpus: others.length ? others.reduce((a, b) => a + b, 0) / others.length : null,
    ids: results[0]!.ids,
    processes: results.length,
  };
}

export function formatOrt(s: OrtSummary[]): string {
  return formatTable(['ONNX Runtime int8', 'threads', 'vision ms', 'prefix ms', 'ms/token', 'total ms', 'peak RSS MiB', 'others CPU'],
    s.map((o) => [`${o.processes} processes`, String(o.threads), fixed(o.visionMs, 0), fixed(o.prefixMs, 0), fixed(o.perTokenMs, 2),
      fixed(o.totalMs, 0), fixed(o.peakRssMiB, 0), fixed(o.othersCpus, 2)]));
}

/** gitcap's time (and RSS) as a fraction of the peer's at the same thread count: below 1 is faster (smaller). */
export function formatOrtRatios(configs: ConfigResult[], peers: OrtSummary[]): string {
  const rows: string[][] = [];
  for (const c of configs) {
    const o = peers.find((p) => p.threads === c.threads);
    if (!o) continue;
    const x = (ours: number, theirs: number) => `${(ours / theirs).toFixed(2)}x`;
    rows.push([c.type as QuantType, String(c.threads), x(c.median.visionMs, o.visionMs), x(c.median.prefixMs, o.prefixMs),
      x(c.median.perTokenMs, o.perTokenMs), x(c.median.visionMs + c.median.prefixMs + c.median.decodeMs, o.totalMs),
      x(c.peakRssBytes / 2 ** 20, o.peakRssMiB), c.tokenIds.join() === o.ids.slice(1).join() ? 'yes' : 'no']);
  }
  return formatTable(['gitcap / ORT int8', 'threads', 'vision', 'prefix', 'ms/token', 'total', 'peak RSS', 'same tokens'], rows);
}
