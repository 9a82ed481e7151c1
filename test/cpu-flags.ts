// What this machine's CPU can run, from /proc/cpuinfo (Linux on x86; undefined elsewhere), for
// the tests that expect gitcap's own kernels where the CPU has their instructions.
// An arm64 process emulated by qemu-user on an x86 host reads the host's /proc/cpuinfo (x86
// flags of a CPU it does not run on): only an x64 process takes its flags from there.
import { readFileSync } from 'node:fs';

/** The first CPU's flags, or undefined where /proc/cpuinfo has no flags line or is not this process's CPU. */
export function cpuFlags(arch: string = process.arch): Set<string> | undefined {
  if (arch !== 'x64') return undefined;
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1];
    return line === undefined ? undefined : new Set(line.trim().split(/\s+/));
  } catch {
    return undefined;
  }
}

/**
 * The kernels info().cpu.kernels should list on this CPU, as native/src's available() decide:
 * none on other architectures (gitcap's own kernels are x86 code); undefined where unknown.
 */
export function expectedKernels(arch: string = process.arch): string[] | undefined {
  if (arch !== 'x64' && arch !== 'ia32') return [];
  const flags = cpuFlags(arch);
  if (!flags) return undefined;
  const kernels: string[] = [];
  if (['avx512f', 'avx512bw', 'avx512vl', 'avx512dq', 'avx512_vnni', 'fma', 'f16c'].every((f) => flags.has(f))) kernels.push('int8-avx512vnni');
  if (kernels.includes('int8-avx512vnni') && flags.has('amx_tile') && flags.has('amx_bf16') && flags.has('avx512_bf16')) kernels.unshift('amx-bf16');
  const avx2 = ['avx2', 'fma', 'f16c'].every((f) => flags.has(f));
  if (avx2 && flags.has('avx_vnni')) kernels.push('int8-avxvnni');
  if (avx2) kernels.push('int8-avx2');
  if (kernels.includes('amx-bf16')) kernels.push('attention-amx');
  if (flags.has('avx512f') && flags.has('fma')) kernels.push('attention-avx512');
  if (flags.has('avx2') && flags.has('fma')) kernels.push('attention-avx2');
  return kernels;
}
