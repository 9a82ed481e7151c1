import { packageVersion } from '../core/package-info.js';
import path from 'node:path';
import { callNative, loadAddon } from './native/binding.js';
import { hostPlatform } from '../core/platform.js';

/** What gitcap is built from and what it can run on here: see `info()`. */
export interface GitcapInfo {
  /** gitcap's package version. */
  version: string;
  /** The native binary in use: a prebuild (prebuilds/...) or a source build (build/Release/...). */
  addonPath: string;
  /** true: the prebuilt, relocatable binary; false: built from source on this machine. */
  portable: boolean;
  /** The prebuilt binary's platform folder in use ("linux-x64", "linux-arm64", "win32-x64"); null for a source build. */
  prebuild: string | null;
  /** The platform this process runs on: e.g. "linux-arm64", and on Linux its C library ("glibc 2.36", "musl"). */
  platform: { name: string; libc: string | null };
  ggml: { version: string; commit: string };
  /** The Node-API version the addon was built against. */
  napiVersion: number;
  /** ggml backends available: linked in (source build) or loaded (prebuild), e.g. ["CPU", "CUDA"]. */
  backends: string[];
  devices: DeviceInfo[];
  cpu: CpuInfo;
}

export interface DeviceInfo {
  /** e.g. "CPU", "CUDA0" */
  name: string;
  description: string;
  type: 'cpu' | 'gpu' | 'igpu' | 'accel' | 'meta' | 'unknown';
  /** The backend the device belongs to, e.g. "CUDA". */
  backend: string;
  /** Bytes. */
  memoryFree: number;
  memoryTotal: number;
}

export interface CpuInfo {
  /** Instruction-set features the CPU backend was compiled for, e.g. ["AVX", "AVX2", "FMA"]
   * (valued ones as "SVE_CNT=16"). */
  features: string[];
  /** Prebuild: the CPU variant ggml picked for this machine (e.g. "haswell"); null in a source build. */
  variant: string | null;
  /**
   * gitcap's own x86 kernels this CPU runs: "int8-avx512vnni" and "amx-bf16" (q8_0 and q4_0
   * matrix products) and "attention-amx" or "attention-avx512"; empty where ggml's kernels do all the work.
   */
  kernels: string[];
}

/**
 * Versions, backends, devices and CPU features of the native side. Loads the addon on first use:
 * throws GitcapError E_NATIVE when it cannot be loaded.
 */
export function info(): GitcapInfo {
  const { path: addonPath } = loadAddon();
  const raw = callNative((addon) => addon.info());
  const host = hostPlatform();
  const folder = path.basename(path.dirname(addonPath));
  return {
    version: packageVersion(),
    addonPath,
    portable: raw.portable,
    prebuild: path.basename(path.dirname(path.dirname(addonPath))) === 'prebuilds' ? folder : null,
    platform: { name: host.name, libc: host.libc === 'glibc' ? `glibc ${host.glibcVersion}` : host.libc },
    ggml: { version: raw.ggmlVersion, commit: raw.ggmlCommit },
    napiVersion: raw.napiVersion,
    backends: raw.backends,
    devices: raw.devices.map((d) => ({ ...d })),
    cpu: {
      features: Object.entries(raw.cpu.features).map(([name, value]) => (value === '1' ? name : `${name}=${value}`)),
      variant: raw.cpu.variant,
      kernels: raw.cpu.kernels,
    },
  };
}
