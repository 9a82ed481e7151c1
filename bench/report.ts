// The human-readable output: one row per configuration, the peer, ratios and targets.
import { BUSY_OTHERS_CPUS, isBusy } from './contention.js';
import type { PeerResult } from './peer.js';
import { peerRatios, type ConfigResult } from './results.js';
import { fixed, formatMarkdownTable, formatTable, MIB } from './table.js';
import type { TargetCheck } from './targets.js';

const HEADER = ['type', 'threads', 'file MiB', 'load ms', 'preprocess ms', 'vision ms', 'prefix ms', 'ms/token', 'tokens/s',
  'total ms', 'peak RSS MiB', 'base RSS MiB', 'others CPU'];

function cells(c: ConfigResult): string[] {
  const m = c.median;
  const busy = isBusy(c.othersCpus) ? ' !' : '';
  return [c.type, String(c.threads), fixed(c.fileBytes / MIB, 1), fixed(c.loadMs, 0), fixed(m.readMs + m.preprocessMs, 1),
    fixed(m.visionMs, 0), fixed(m.prefixMs, 0), fixed(m.perTokenMs, 2), fixed(m.tokensPerSecond, 1), fixed(m.totalMs, 0),
    fixed(c.peakRssBytes / MIB, 0), fixed(c.baselineRssBytes / MIB, 0), `${fixed(c.othersCpus, 2)}${busy}`];
}

export const RESULTS_NOTE = 'medians; preprocess = reading + decoding + resizing the frames; ms/token = all decode steps / new tokens; ' +
  'total = end to end; base RSS = the process before loading (Node.js; the child runs compiled JavaScript); others CPU = CPUs kept busy by other processes ' +
  `while timing (! above ${BUSY_OTHERS_CPUS}: a loaded machine, figures too slow)`;

export function formatResults(configs: ConfigResult[], markdown = false): string {
  return (markdown ? formatMarkdownTable : formatTable)(HEADER, configs.map(cells));
}

/** Which matmul kernel each weight type ran on, e.g. "matmul kernels: f32 ggml, q8_0 int8-avx512vnni". */
export function formatKernels(configs: ConfigResult[]): string {
  const byType = new Map<string, string>();
  for (const c of configs) byType.set(c.type, c.matmulKernel ?? 'unknown');
  return `matmul kernels: ${[...byType].map(([type, kernel]) => `${type} ${kernel}`).join(', ')}`;
}

export function formatResultRow(c: ConfigResult): string {
  return formatTable(HEADER, [cells(c)]).split('\n')[2]!;
}

export function formatPeer(p: PeerResult): string {
  const s = (v: number | null) => (v === null ? 'not run' : `${v.toFixed(3)} s`);
  return [
    `PyTorch peer: ${p.command}`,
    `  torch ${p.torch ?? '?'}, ${p.threads ?? '?'} threads; HF-style generate ${s(p.hfStyleS)}, encode-once generate ${s(p.encodeOnceS)}, ` +
      `vision ${s(p.visionS)}, preprocess ${s(p.preprocessS)}, peak RSS ${fixed(p.peakRssMiB, 0)} MiB (command wall ${p.wallS.toFixed(1)} s)`,
    `  others CPU while the peer ran: ${fixed(p.othersCpus, 2)}${isBusy(p.othersCpus) ? ' ! (loaded machine: the peer\'s times are too slow, the ratios too favourable)' : ''}`,
  ].join('\n');
}

export function formatRatios(configs: ConfigResult[], peer: PeerResult, markdown = false): string {
  const x = (v: number | null) => (v === null ? '-' : `${v.toFixed(1)}x`);
  const rows = configs.map((c) => {
    const r = peerRatios(c, peer);
    const same = r.sameTokens === null ? '-' : r.sameTokens ? 'yes' : 'no';
    const busy = isBusy(c.othersCpus) || isBusy(peer.othersCpus) ? ' !' : '';
    return [`${r.type}${busy}`, String(r.threads), x(r.hfStyle), x(r.encodeOnce), x(r.vision), x(r.preprocess), x(r.peakRss), same];
  });
  const header = ['type', 'threads', 'vs HF-style', 'vs encode-once', 'vision', 'preprocess', 'peak RSS', 'same tokens'];
  return (markdown ? formatMarkdownTable : formatTable)(header, rows);
}

export function formatTargets(checks: TargetCheck[]): string {
  const rows = checks.map((t) => [`${t.type} ${t.name}`, String(t.threads), t.limit, t.measured === null ? '-' : `${fixed(t.measured, t.unit === 'x' ? 1 : 0)} ${t.unit}`,
    (t.met === null ? 'not measured' : t.met ? 'met' : 'MISSED') + (t.loaded ? (t.conclusive ? ' (loaded machine)' : ' (loaded machine: not conclusive)') : '')]);
  return formatTable(['target', 'threads', 'goal', 'measured', ''], rows);
}
