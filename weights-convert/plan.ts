// Matches a checkpoint's tensors against what the config says the model has, and decides each
// output tensor's type, shape and place in the GGUF data section.

import { GitcapError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import { alignUp, GGUF_ALIGNMENT } from './gguf-format.js';
import type { GitHparams } from './hparams.js';
import { TYPE_INFO, rowSize, type QuantType } from './quant-types.js';
import { canonicalTensorName, expectedTensors, isDroppedTensor, type ExpectedTensor } from './tensor-map.js';
import type { SourceTensor, TensorSource } from './tensor-source.js';
import { DTYPE_SIZE, elementCount, formatShape } from './tensor-source.js';
import { tensorType, type TypeChoice } from './tensor-types.js';

const WEIGHT_DTYPES = ['F32', 'F16', 'BF16'];

export interface PlannedTensor {
  ggufName: string;
  source: SourceTensor;
  type: QuantType;
  /** ggml order (reversed PyTorch shape) */
  ne: number[];
  nRows: number;
  nPerRow: number;
  /** offset inside the data section */
  offset: number;
  /** bytes of converted data */
  size: number;
}

export interface Plan {
  tensors: PlannedTensor[];
  /** bytes of the data section */
  dataSize: number;
  /** bytes to read from the checkpoint */
  sourceBytes: number;
  warnings: string[];
}

function where(source: TensorSource): string {
  return source.files.join(', ');
}

function findSource(source: TensorSource, byName: Map<string, SourceTensor>, hp: GitHparams, e: ExpectedTensor): SourceTensor {
  const found = byName.get(e.hfName);
  if (found) return found;
  // A tied LM head shares the word embeddings (tie_word_embeddings: true); the checkpoint may omit it.
  const tied = hp.tieWordEmbeddings && e.hfName === 'output.weight' && source.tensors.get('git.embeddings.word_embeddings.weight');
  if (tied) return tied;
  throw new GitcapError('E_MODEL_FORMAT', `${where(source)}: tensor ${e.hfName} is missing`);
}

function checkSource(t: SourceTensor, e: ExpectedTensor): void {
  if (!WEIGHT_DTYPES.includes(t.dtype)) {
    throw new GitcapError('E_UNSUPPORTED', `${t.file}: tensor ${printable(t.name)} has dtype ${t.dtype}; only F32, F16 and BF16 weights are supported`);
  }
  const same = t.shape.length === e.shape.length && t.shape.every((n, i) => n === e.shape[i]);
  if (!same) {
    throw new GitcapError(
      'E_MODEL_FORMAT',
      `${t.file}: tensor ${printable(t.name)} has shape ${formatShape(t.shape)} but config.json implies ${formatShape(e.shape)}`,
    );
  }
}

export function planConversion(source: TensorSource, hp: GitHparams, choice: TypeChoice): Plan {
  const expected = expectedTensors(hp);
  const known = new Set(expected.map((e) => e.hfName));
  const byName = new Map<string, SourceTensor>();
  for (const [name, t] of source.tensors) byName.set(canonicalTensorName(name), t);
  for (const name of source.tensors.keys()) {
    if (!known.has(canonicalTensorName(name)) && !isDroppedTensor(name)) {
      throw new GitcapError('E_MODEL_FORMAT', `${source.tensors.get(name)!.file}: unexpected tensor ${printable(name)} (not part of a GIT model with this config.json)`);
    }
  }
  const warnings: string[] = [];
  const tensors: PlannedTensor[] = [];
  let offset = 0;
  let sourceBytes = 0;
  for (const e of expected) {
    const src = findSource(source, byName, hp, e);
    checkSource(src, e);
    const { type, fallbackReason } = tensorType(e, choice);
    if (fallbackReason) warnings.push(fallbackReason);
    const nPerRow = e.shape[e.shape.length - 1]!;
    const nRows = elementCount(e.shape) / nPerRow;
    const size = nRows * rowSize(type, nPerRow);
    tensors.push({ ggufName: e.ggufName, source: src, type, ne: [...e.shape].reverse(), nRows, nPerRow, offset, size });
    offset = alignUp(offset + size, GGUF_ALIGNMENT);
    sourceBytes += elementCount(e.shape) * DTYPE_SIZE[src.dtype]!;
  }
  return { tensors, dataSize: offset, sourceBytes, warnings };
}

export function needsQuantizer(plan: Plan): boolean {
  return plan.tensors.some((t) => TYPE_INFO[t.type].blockSize > 1);
}
