// The machine a benchmark ran on, for the output and the JSON: CPU model, cores, instruction
// sets, memory, OS, Node.js, gitcap's native build, and how busy the machine was.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { info } from '../lib/index.js';

export interface MachineDescription {
  cpuModel: string;
  /** Logical CPUs this process may use. */
  logicalCpus: number;
  /** Distinct (physical id, core id) pairs in /proc/cpuinfo; null where it has none. */
  physicalCores: number | null;
  /** Which of the ISA extensions that matter to ggml the CPU has (from /proc/cpuinfo flags). */
  isa: string[];
  memoryGiB: number;
  os: string;
  node: string;
  gitcap: { version: string; ggml: string; backends: string[]; cpuFeatures: string[]; cpuVariant: string | null; addon: string };
  /** 1-minute load average when the benchmark started: timings are noisy above the core count. */
  loadAverage1m: number;
}

const ISA_FLAGS = ['sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512_vnni', 'avx_vnni', 'amx_tile', 'asimd', 'sve'];

/** Parses /proc/cpuinfo text: the first model name, physical core count and the ISA flags. */
export function parseCpuinfo(text: string): { model: string | null; physicalCores: number | null; isa: string[] } {
  const model = /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? null;
  const cores = new Set<string>();
  for (const block of text.split(/\n\s*\n/)) {
    const phys = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
    const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (phys !== undefined && core !== undefined) cores.add(`${phys}:${core}`);
  }
  const flags = new Set((/^(?:flags|Features)\s*:\s*(.*)$/m.exec(text)?.[1] ?? '').split(/\s+/));
  return { model, physicalCores: cores.size > 0 ? cores.size : null, isa: ISA_FLAGS.filter((f) => flags.has(f)) };
}

function readCpuinfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return ''; // not Linux: os.cpus() still names the CPU
  }
}

export function describeMachine(): MachineDescription {
  const cpu = parseCpuinfo(readCpuinfo());
  const g = info();
  return {
    cpuModel: cpu.model ?? os.cpus()[0]?.model ?? 'unknown CPU',
    logicalCpus: os.availableParallelism(),
    physicalCores: cpu.physicalCores,
    isa: cpu.isa,
    memoryGiB: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    gitcap: {
      version: g.version,
      ggml: `${g.ggml.version} (${g.ggml.commit})`,
      backends: g.backends,
      cpuFeatures: g.cpu.features,
      cpuVariant: g.cpu.variant,
      addon: g.addonPath,
    },
    loadAverage1m: os.loadavg()[0]!,
  };
}

export function formatMachine(m: MachineDescription): string {
  const cores = m.physicalCores === null ? `${m.logicalCpus} CPUs` : `${m.physicalCores} cores / ${m.logicalCpus} CPUs`;
  return [
    `CPU: ${m.cpuModel}, ${cores}, ISA ${m.isa.join(' ') || 'unknown'}; ${m.memoryGiB.toFixed(1)} GiB RAM`,
    `OS: ${m.os}; Node.js ${m.node}`,
    `gitcap ${m.gitcap.version}, ggml ${m.gitcap.ggml}, backends ${m.gitcap.backends.join(', ')}, ` +
      `CPU build ${m.gitcap.cpuVariant ?? 'native'} [${m.gitcap.cpuFeatures.join(' ')}]`,
    `load average (1 min) at start: ${m.loadAverage1m.toFixed(2)}`,
  ].join('\n');
}
