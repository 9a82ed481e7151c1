// Which GGUF type each tensor gets.
//   matmul weights          -> `type`
//   token_embd.weight       -> `tokenEmbdType` (default `type`; ggml_get_rows reads every type here)
//   output.weight (LM head) -> `outputType` (default `type`)
//   v.patch_embd.weight     -> F32 for an f32 file, else F16 (ggml's im2col takes nothing lower)
//   norms, biases, class/position/temporal embeddings -> F32 (tiny, and added, not multiplied)
// A block type whose block does not divide the row length falls back (see quant-types.ts).

import type { QuantType } from './quant-types.js';
import { TYPE_INFO, resolveRowType } from './quant-types.js';
import type { ExpectedTensor } from './tensor-map.js';

export interface TypeChoice {
  type: QuantType;
  outputType: QuantType;
  tokenEmbdType: QuantType;
}

export interface TensorType {
  type: QuantType;
  /** why the tensor did not get the type asked for, when it did not */
  fallbackReason?: string;
}

function wantedType(t: ExpectedTensor, choice: TypeChoice): QuantType {
  switch (t.role) {
    case 'matmul': return choice.type;
    case 'token_embd': return choice.tokenEmbdType;
    case 'output': return choice.outputType;
    case 'conv': return choice.type === 'f32' ? 'f32' : 'f16';
    case 'f32': return 'f32';
  }
}

export function tensorType(t: ExpectedTensor, choice: TypeChoice): TensorType {
  const wanted = wantedType(t, choice);
  const nPerRow = t.shape[t.shape.length - 1]!;
  const type = resolveRowType(wanted, nPerRow);
  if (type === wanted) return { type };
  const block = TYPE_INFO[wanted].blockSize;
  return {
    type,
    fallbackReason: `${t.ggufName}: rows of ${nPerRow} are not a multiple of ${block} as ${wanted} needs; stored as ${type}`,
  };
}
