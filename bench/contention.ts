// How much CPU other processes used while a configuration was timed: the machine's busy time
// (/proc/stat) minus this process's own. ggml's threads spin while they wait for each other, so
// a few busy neighbours slow a caption far more than their share; such figures are marked.
import { readFileSync } from 'node:fs';

const USER_HZ = 100; // /proc/stat counts in 1/100 s on every Linux this runs on

/** Others' CPUs above this during a measurement make its figures suspect (ggml threads spin). */
export const BUSY_OTHERS_CPUS = 0.25;

export function isBusy(othersCpus: number | null): boolean {
  return othersCpus !== null && othersCpus > BUSY_OTHERS_CPUS;
}

export interface CpuSample {
  wallMs: number;
  /** Machine-wide busy seconds (all CPUs), or null without /proc/stat. */
  busyS: number | null;
  /** This process's user + system seconds. */
  ownS: number;
}

/** Busy seconds in the aggregate "cpu" line of /proc/stat (everything but idle and iowait). */
export function parseProcStatBusy(text: string): number | null {
  const fields = /^cpu\s+(.*)$/m.exec(text)?.[1]?.trim().split(/\s+/).map(Number);
  if (!fields || fields.length < 4 || fields.some((n) => !Number.isFinite(n))) return null;
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields; // skips idle, iowait
  return (user + nice + system + irq + softirq + steal) / USER_HZ;
}

export function sampleCpu(): CpuSample {
  let busyS: number | null = null;
  try {
    busyS = parseProcStatBusy(readFileSync('/proc/stat', 'utf8'));
  } catch {
    // not Linux: contention stays unknown
  }
  const own = process.cpuUsage();
  return { wallMs: performance.now(), busyS, ownS: (own.user + own.system) / 1e6 };
}

/**
 * CPUs other processes kept busy on average between two samples (null when unknown);
 * `childrenS`: CPU seconds of child processes to count as ours.
 */
export function othersCpus(from: CpuSample, to: CpuSample, childrenS = 0): number | null {
  if (from.busyS === null || to.busyS === null) return null;
  const wallS = (to.wallMs - from.wallMs) / 1000;
  if (wallS <= 0) return null;
  return Math.max(0, (to.busyS - from.busyS - (to.ownS - from.ownS) - childrenS) / wallS);
}

/** Children's user + system seconds from the second line of the shell's `times` ("1m2.5s 0m0.3s"). */
export function parseShellTimes(text: string): number | null {
  const line = text.trim().split('\n')[1] ?? '';
  const parts = [...line.matchAll(/(\d+)m([\d.]+)s/g)];
  if (parts.length !== 2) return null;
  return parts.reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
}
