// One measured configuration (weight type x thread count) with its medians, and its ratios to the peer.
import type { QuantType } from '../weights-convert/quant-types.js';
import type { PeerResult } from './peer.js';
import { STAGE_KEYS, type OneRunResult, type StageTimes } from './run-result.js';
import { median, medianOf } from './stats.js';
import { MIB } from './table.js';

export interface ConfigResult extends OneRunResult {
  type: QuantType;
  /** Each stage's median over the timed runs. */
  median: StageTimes;
}

/** Several processes' measurements of one configuration as one: every timed run, the highest peak. */
export function mergeRuns(results: OneRunResult[]): OneRunResult {
  const others = results.map((r) => r.othersCpus).filter((v): v is number => v !== null);
  return {
    ...results[0]!,
    loadMs: median(results.map((r) => r.loadMs)),
    peakRssBytes: Math.max(...results.map((r) => r.peakRssBytes)),
    othersCpus: others.length ? others.reduce((a, b) => a + b, 0) / others.length : null,
    runs: results.flatMap((r) => r.runs),
  };
}

export function summarize(type: QuantType, run: OneRunResult): ConfigResult {
  return { type, ...run, median: medianOf(run.runs, STAGE_KEYS) };
}

/** How many times faster / smaller gitcap is than the peer (peer figure / gitcap figure). */
export interface PeerRatios {
  type: QuantType;
  threads: number;
  hfStyle: number | null;
  encodeOnce: number | null;
  vision: number | null;
  preprocess: number | null;
  peakRss: number | null;
  /** Whether gitcap generated the peer's tokens (null: the peer printed none). */
  sameTokens: boolean | null;
}

function ratio(peer: number | null, ours: number): number | null {
  return peer === null || ours <= 0 ? null : peer / ours;
}

export function peerRatios(c: ConfigResult, peer: PeerResult): PeerRatios {
  const totalS = c.median.totalMs / 1000;
  return {
    type: c.type,
    threads: c.threads,
    hfStyle: ratio(peer.hfStyleS, totalS),
    encodeOnce: ratio(peer.encodeOnceS, totalS),
    vision: ratio(peer.visionS, c.median.visionMs / 1000),
    preprocess: ratio(peer.preprocessS, (c.median.readMs + c.median.preprocessMs) / 1000),
    peakRss: ratio(peer.peakRssMiB, c.peakRssBytes / MIB),
    sameTokens: peer.ids === null ? null : peer.ids.slice(1).join() === c.tokenIds.join(),
  };
}
