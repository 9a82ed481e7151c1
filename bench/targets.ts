// The goals gitcap is measured against (2-core AVX2 CPU, 6 frames, 20 new tokens), checked on the
// configurations with the most threads measured.
import type { QuantType } from '../weights-convert/quant-types.js';
import { isBusy } from './contention.js';
import type { PeerResult } from './peer.js';
import { peerRatios, type ConfigResult } from './results.js';

export interface Target {
  name: string;
  type: QuantType;
  /** 'max': the figure must not exceed the limit; 'min': it must reach it. */
  kind: 'max' | 'min';
  limit: number;
  unit: string;
  /** A ratio to the peer: the peer's measurement counts too. */
  peer?: true;
  measure: (c: ConfigResult, peer: PeerResult | undefined) => number | null;
}

const MB = 1e6;

export const TARGETS: Target[] = [
  { name: 'end-to-end caption', type: 'q8_0', kind: 'max', limit: 2500, unit: 'ms', measure: (c) => c.median.totalMs },
  { name: 'faster than the HF-style peer', type: 'q8_0', kind: 'min', limit: 70, unit: 'x', peer: true, measure: (c, p) => (p ? peerRatios(c, p).hfStyle : null) },
  { name: 'faster than the encode-once peer', type: 'q8_0', kind: 'min', limit: 4.5, unit: 'x', peer: true, measure: (c, p) => (p ? peerRatios(c, p).encodeOnce : null) },
  { name: 'vision tower, 6 frames', type: 'q8_0', kind: 'max', limit: 1500, unit: 'ms', measure: (c) => c.median.visionMs },
  { name: 'image prefix', type: 'q8_0', kind: 'max', limit: 800, unit: 'ms', measure: (c) => c.median.prefixMs },
  { name: 'per-token decode', type: 'q8_0', kind: 'max', limit: 15, unit: 'ms', measure: (c) => c.median.perTokenMs },
  { name: 'load', type: 'q8_0', kind: 'max', limit: 300, unit: 'ms', measure: (c) => c.loadMs },
  { name: 'peak RSS', type: 'q8_0', kind: 'max', limit: 300, unit: 'MB', measure: (c) => c.peakRssBytes / MB },
  { name: 'peak RSS', type: 'q4_0', kind: 'max', limit: 220, unit: 'MB', measure: (c) => c.peakRssBytes / MB },
  { name: 'end-to-end caption', type: 'f32', kind: 'max', limit: 5000, unit: 'ms', measure: (c) => c.median.totalMs },
];

export interface TargetCheck {
  name: string;
  type: QuantType;
  threads: number;
  limit: string;
  measured: number | null;
  unit: string;
  /** null: not measured in this run (type not run, or no peer). */
  met: boolean | null;
  /** Other processes were busy while it (or the peer) was measured. */
  loaded: boolean;
  /**
   * Whether the verdict holds despite the load: a busy machine only slows a measurement, so a
   * time goal met while gitcap was disturbed still holds, and so does a ratio goal missed while
   * only the peer was disturbed (or met while only gitcap was).
   */
  conclusive: boolean;
}

function isConclusive(kind: Target['kind'], met: boolean | null, gitcapLoaded: boolean, peerLoaded: boolean): boolean {
  if (!gitcapLoaded && !peerLoaded) return true;
  if (met === null || (gitcapLoaded && peerLoaded)) return false;
  if (kind === 'max') return met; // only gitcap's own figure: load made it larger
  return gitcapLoaded ? met : !met;
}

export function checkTargets(configs: ConfigResult[], peer: PeerResult | undefined): TargetCheck[] {
  if (configs.length === 0) return [];
  const threads = Math.max(...configs.map((c) => c.threads));
  const checks: TargetCheck[] = [];
  for (const t of TARGETS) {
    const c = configs.find((x) => x.type === t.type && x.threads === threads);
    if (!c) continue;
    const measured = t.measure(c, peer);
    const met = measured === null ? null : t.kind === 'max' ? measured <= t.limit : measured >= t.limit;
    const gitcapLoaded = isBusy(c.othersCpus);
    const peerLoaded = t.peer === true && peer !== undefined && isBusy(peer.othersCpus);
    checks.push({
      name: t.name,
      type: t.type,
      threads,
      limit: `${t.kind === 'max' ? '≤' : '≥'} ${t.limit} ${t.unit}`,
      measured,
      unit: t.unit,
      met,
      loaded: gitcapLoaded || peerLoaded,
      conclusive: isConclusive(t.kind, met, gitcapLoaded, peerLoaded),
    });
  }
  return checks;
}
