// The README "Benchmarks" tables from a saved `npm run bench -- --json <file>` report:
//
//   node --import tsx bench/markdown.ts bench.json

import { readFile } from 'node:fs/promises';
import { GitcapError } from '../core/errors.js';
import { isBusy } from './contention.js';
import type { MachineDescription } from './machine.js';
import type { PeerResult } from './peer.js';
import { formatKernels, formatRatios, formatResults } from './report.js';
import type { ConfigResult } from './results.js';

interface SavedReport {
  date: string;
  argv: string[];
  machine: MachineDescription;
  configs: ConfigResult[];
  peer: PeerResult | null;
}

export function reportMarkdown(r: SavedReport): string {
  const m = r.machine;
  const lines = [
    `Measured ${r.date.slice(0, 10)} on ${m.cpuModel} (${m.physicalCores ?? m.logicalCpus} cores, ${m.isa.join(' ')}), ` +
      `${m.memoryGiB.toFixed(0)} GiB, ${m.os}, Node.js ${m.node}, gitcap ${m.gitcap.version}, ggml ${m.gitcap.ggml.split(' ')[0]}:`,
    '',
    `    npm run bench -- ${r.argv.map((a) => (/[\s"]/.test(a) ? `"${a}"` : a)).join(' ')}`,
    '',
    formatResults(r.configs, true),
    '',
    `${formatKernels(r.configs)}.`,
  ];
  if (r.peer) {
    const p = r.peer;
    const s = (v: number | null) => (v === null ? '-' : `${v.toFixed(1)} s`);
    lines.push('', `PyTorch peer (torch ${p.torch ?? '?'}, ${p.threads ?? '?'} threads${isBusy(p.othersCpus ?? null) ? ', loaded machine' : ''}): ` +
      `HF-style generate ${s(p.hfStyleS)}, encode-once generate ${s(p.encodeOnceS)}, vision ${s(p.visionS)}, ` +
      `peak RSS ${p.peakRssMiB ?? '-'} MiB. Ratios (peer / gitcap):`, '', formatRatios(r.configs, { ...p, othersCpus: p.othersCpus ?? null }, true));
  }
  return lines.join('\n');
}

const file = process.argv[2];
if (file === undefined) throw new GitcapError('E_INVALID_ARG', 'Usage: node --import tsx bench/markdown.ts <report.json>');
console.log(reportMarkdown(JSON.parse(await readFile(file, 'utf8')) as SavedReport));
