// The PyTorch peer (bench/peers/torch_peer.py, or any command printing its summary): run its command once, echo its output
// to stderr as it comes, and read its figures from the summary it prints, e.g.
//   torch 2.x, threads 2, numpy 1.x
//   a_hf_style_generate_20: median 182.912s  runs [182.912]
//   b_efficient_generate_20: median 12.010s  runs [12.1, 12.01, 11.9]
//   c_preprocess_6_frames: median 0.061s  runs [...]
//   d_vision_6_frames: median 6.512s  runs [...]
//   generated ids (eos suppressed): [101, 2054, ...]
//   peak RSS: 1441 MiB
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { GitcapError } from '../core/errors.js';
import { othersCpus, parseShellTimes, sampleCpu } from './contention.js';

export interface PeerResult {
  command: string;
  torch: string | null;
  threads: number | null;
  /** Medians in seconds; null when the peer skipped that part (e.g. --runs-hf 0). */
  hfStyleS: number | null;
  encodeOnceS: number | null;
  preprocessS: number | null;
  visionS: number | null;
  peakRssMiB: number | null;
  /** The greedy generation's ids, prompt ([CLS]) first; null when not printed. */
  ids: number[] | null;
  /** Wall time of the whole peer command (building the model included). */
  wallS: number;
  /** CPUs other processes kept busy while the peer ran (null where unknown). */
  othersCpus: number | null;
}

const STAGES = {
  a_hf_style_generate_20: 'hfStyleS',
  b_efficient_generate_20: 'encodeOnceS',
  c_preprocess_6_frames: 'preprocessS',
  d_vision_6_frames: 'visionS',
} as const;

/** The figures in the peer's output (the last line of each kind wins: the summary). */
export function parsePeerOutput(text: string): Omit<PeerResult, 'command' | 'wallS' | 'othersCpus'> {
  const r: Omit<PeerResult, 'command' | 'wallS' | 'othersCpus'> = {
    torch: null, threads: null, hfStyleS: null, encodeOnceS: null, preprocessS: null, visionS: null, peakRssMiB: null, ids: null,
  };
  for (const line of text.split('\n')) {
    const torch = /^torch (\S+), threads (\d+)/.exec(line);
    if (torch) {
      r.torch = torch[1]!;
      r.threads = Number(torch[2]);
    }
    const stage = /^(\w+): median ([\d.]+)s/.exec(line);
    if (stage && Object.hasOwn(STAGES, stage[1]!)) r[STAGES[stage[1] as keyof typeof STAGES]] = Number(stage[2]);
    const rss = /^peak RSS: ([\d.]+) MiB/.exec(line);
    if (rss) r.peakRssMiB = Number(rss[1]);
    const ids = /^generated ids \(eos suppressed\): \[([\d, ]*)\]/.exec(line);
    if (ids) r.ids = ids[1]!.split(',').filter((s) => s.trim() !== '').map(Number);
  }
  return r;
}

/**
 * Runs `command` in a shell; rejects when it fails or prints none of the expected figures. The
 * shell's `times` (on fd 3) gives the peer's CPU time, so that others' load can be told apart.
 */
export function runPeer(command: string): Promise<PeerResult> {
  const before = sampleCpu();
  return new Promise((resolve, reject) => {
    const script = `{ ${command}\n}; status=$?; times >&3; exit $status`;
    const child = spawn('/bin/sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let times = '';
    (child.stdio[3] as Readable).setEncoding('utf8').on('data', (d: string) => (times += d));
    let out = '';
    const echo = (d: string) => {
      out += d;
      process.stderr.write(d.replace(/^(?=.)/gm, 'peer | '));
    };
    child.stdout!.setEncoding('utf8').on('data', echo);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => process.stderr.write(d.replace(/^(?=.)/gm, 'peer | ')));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) {
        reject(new GitcapError('E_BACKEND', `the peer command failed (${signal ?? `exit code ${code}`}): ${command}`));
        return;
      }
      const parsed = parsePeerOutput(out);
      if (parsed.encodeOnceS === null && parsed.hfStyleS === null) {
        reject(new GitcapError('E_INPUT', `the peer command printed no "<stage>: median <s>s" line: ${command}`));
        return;
      }
      const after = sampleCpu();
      const peerCpuS = parseShellTimes(times);
      resolve({
        command,
        ...parsed,
        wallS: (after.wallMs - before.wallMs) / 1000,
        othersCpus: peerCpuS === null ? null : othersCpus(before, after, peerCpuS),
      });
    });
  });
}
