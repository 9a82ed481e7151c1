// The fixtures' goldens (test/fixtures/goldens): cases from goldens.json, tensors from the
// safetensors files, and GGUFs of the tiny checkpoints converted once per process.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertCheckpoint, type QuantType } from '../../weights-convert/index.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface GoldenCase {
  model: 'tiny-vatex' | 'tiny-image';
  inputs: string[];
  question?: string;
  prompt_ids: number[];
  new_token_ids: number[];
  generated_ids: number[];
  stopped_by_eos: boolean;
  decoded: string;
  top1_top2_margins: number[];
  min_margin: number;
  pixel_values_same_as?: string;
  tensors: string[];
}

export const goldens = JSON.parse(readFileSync(join(FIXTURES, 'goldens/goldens.json'), 'utf8')) as {
  cases: Record<string, GoldenCase>;
};

/** Reads every tensor of a small safetensors file as Float32Array (F32) or Uint8Array (U8). */
export function readSafetensors(file: string): Map<string, { shape: number[]; data: Float32Array | Uint8Array }> {
  const buf = readFileSync(file);
  const headerLen = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + headerLen).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const out = new Map<string, { shape: number[]; data: Float32Array | Uint8Array }>();
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [start, end] = t.data_offsets;
    const bytes = buf.subarray(8 + headerLen + start, 8 + headerLen + end);
    const copy = new Uint8Array(bytes); // aligned copy
    out.set(name, { shape: t.shape, data: t.dtype === 'F32' ? new Float32Array(copy.buffer) : copy });
  }
  return out;
}

let tensors: ReturnType<typeof readSafetensors> | undefined;
export function goldenTensor(name: string): Float32Array {
  tensors ??= readSafetensors(join(FIXTURES, 'goldens/goldens.safetensors'));
  const t = tensors.get(name);
  if (!t) throw new Error(`no golden tensor ${name}`);
  return t.data as Float32Array;
}

export function pixelValues(caseName: string): { data: Float32Array; dims: number[] } {
  const c = goldens.cases[caseName]!;
  const name = c.pixel_values_same_as ?? `${caseName}.pixel_values`;
  tensors ??= readSafetensors(join(FIXTURES, 'goldens/goldens.safetensors'));
  const t = tensors.get(name)!;
  const shape = t.shape.length === 5 ? t.shape.slice(1) : t.shape; // [1, F, 3, H, W] -> [F, 3, H, W]
  return { data: t.data as Float32Array, dims: shape };
}

/** max |a - b| / max |b|: the goldens' relative tolerance measure. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < a.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    maxRef = Math.max(maxRef, Math.abs(b[i]!));
  }
  return maxDiff / maxRef;
}

const converted = new Map<string, Promise<string>>();
let workDir: string | undefined;

/**
 * The fixture checkpoint converted to `type` (once per process, in a temporary folder), or taken
 * from GITCAP_FIXTURE_GGUF_DIR/<model>-<type>.gguf where that exists (converted beforehand, for
 * runs under an emulator, where converting is slow: test/cross/prepare-ggufs.ts).
 */
export function fixtureGguf(model: 'tiny-vatex' | 'tiny-image', type: QuantType = 'f32', weightsFile?: string): Promise<string> {
  const prepared = process.env.GITCAP_FIXTURE_GGUF_DIR && join(process.env.GITCAP_FIXTURE_GGUF_DIR, `${model}-${type}.gguf`);
  if (prepared && !weightsFile && existsSync(prepared)) return Promise.resolve(prepared);
  const key = `${model}-${type}-${weightsFile ?? ''}`;
  let p = converted.get(key);
  if (!p) {
    workDir ??= mkdtempSync(join(tmpdir(), 'gitcap-test-'));
    const out = join(workDir, `${key.replace(/[^\w.-]/g, '_')}.gguf`);
    p = convertCheckpoint(join(FIXTURES, model), out, { type, ...(weightsFile && { weightsFile }) }).then(() => out);
    converted.set(key, p);
  }
  return p;
}

process.on('exit', () => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});
