// What this machine's CPU can run, from /proc/cpuinfo (Linux on x86; undefined elsewhere), for
// the tests that expect gitcap's own kernels where the CPU has their instructions.
import { readFileSync } from 'node:fs';

/** The first CPU's flags, or undefined where /proc/cpuinfo has no flags line. */
export function cpuFlags(): Set<string> | undefined {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1];
    return line === undefined ? undefined : new Set(line.trim().split(/\s+/));
  } catch {
    return undefined;
  }
}

/** The kernels info().cpu.kernels should list on this CPU, as native/src's available() decide. */
export function expectedKernels(): string[] | undefined {
  const flags = cpuFlags();
  if (!flags) return undefined;
  const kernels: string[] = [];
  if (['avx512f', 'avx512bw', 'avx512vl', 'avx512dq', 'avx512_vnni', 'fma', 'f16c'].every((f) => flags.has(f))) kernels.push('int8-avx512vnni');
  const avx2 = ['avx2', 'fma', 'f16c'].every((f) => flags.has(f));
  if (avx2 && flags.has('avx_vnni')) kernels.push('int8-avxvnni');
  if (avx2) kernels.push('int8-avx2');
  if (flags.has('avx512f') && flags.has('fma')) kernels.push('attention-avx512');
  if (flags.has('avx2') && flags.has('fma')) kernels.push('attention-avx2');
  return kernels;
}
