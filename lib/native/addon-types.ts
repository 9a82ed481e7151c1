// The exact shape of the raw addon (native/addon/*.cpp): one interface per RegisterX() part,
// merged into `Addon`. Only lib/ code sees these types; the public API wraps them.
//
// Errors: a method throws a JS Error; those the addon raises on purpose carry `code`, one of
// GitcapErrorCode (core/errors.ts), and lib/native/binding.ts `callNative` turns them into
// GitcapErrors.
import type { AddonImagePart } from './image-types.js';
import type { AddonModelPart } from './model-types.js';
import type { AddonQuantizePart } from '../../core/quantize-types.js';
import type { AddonTestingPart } from './testing-types.js';
import type { AddonTokenizerPart } from './tokenizer-types.js';

/** native/addon/info.cpp */
export interface AddonInfoPart {
  /** What was built and what ggml found; cheap, may be called any time. */
  info(): AddonInfo;
}

export interface AddonInfo {
  ggmlVersion: string;
  /** Upstream (llama.cpp) commit the vendored ggml was taken from (native/ggml/ORIGIN.md). */
  ggmlCommit: string;
  /** The Node-API version the addon was built against. */
  napiVersion: number;
  /** true: the relocatable prebuild (backends loaded from modules beside the .node). */
  portable: boolean;
  /** Registered ggml backends: linked in (source build) or loaded (portable), e.g. ["CPU"]. */
  backends: string[];
  devices: AddonDevice[];
  cpu: AddonCpuInfo;
}

export type AddonDeviceType = 'cpu' | 'gpu' | 'igpu' | 'accel' | 'meta' | 'unknown';

export interface AddonDevice {
  /** ggml's device name, e.g. "CPU", "CUDA0". */
  name: string;
  description: string;
  type: AddonDeviceType;
  /** Name of the backend the device belongs to, e.g. "CPU", "CUDA". */
  backend: string;
  /** Bytes. */
  memoryFree: number;
  memoryTotal: number;
}

export interface AddonCpuInfo {
  /** The CPU backend's feature flags, e.g. { AVX2: "1", FMA: "1", SVE_CNT: "16" }: the
   * instruction sets its code was compiled for (source build: this machine's). */
  features: Record<string, string>;
  /** Portable build: the CPU variant ggml loaded (e.g. "haswell"); null in a source build. */
  variant: string | null;
  /** Portable build: the file of that variant; null in a source build. */
  library: string | null;
  /** gitcap's own CPU kernels this machine runs, e.g. ["amx-bf16", "int8-avx512vnni", "attention-amx", "attention-avx512"]. */
  kernels: string[];
}

/** The raw addon: every part. */
export type Addon = AddonInfoPart & AddonModelPart & AddonTokenizerPart & AddonQuantizePart & AddonImagePart & AddonTestingPart;
