// The tensors of a GIT checkpoint: Hugging Face name -> GGUF name, expected shape, and role
// (the role decides the output type, see tensor-types.ts).

import { TN } from './gguf-names.js';
import type { GitHparams } from './hparams.js';

export type TensorRole =
  | 'matmul' // a Linear weight: gets the chosen type
  | 'token_embd' // the word embeddings: the chosen type unless overridden
  | 'output' // the LM head weight: the chosen type unless overridden
  | 'conv' // the patch embedding: F16 at most (ggml's im2col wants F16/F32)
  | 'f32'; // norms, biases, class/position/temporal embeddings: always F32

export interface ExpectedTensor {
  hfName: string;
  ggufName: string;
  /** PyTorch order, outermost first */
  shape: number[];
  role: TensorRole;
}

/**
 * The checkpoint name as expectedTensors() spells it: transformers 5 saves the temporal
 * embeddings as `git.img_temporal_embedding.N`, the hub's checkpoints as `img_temperal_embedding`.
 */
export function canonicalTensorName(hfName: string): string {
  return hfName.startsWith('git.img_temporal_embedding.') ? hfName.replace('img_temporal_', 'img_temperal_') : hfName;
}

/** Checkpoint entries that are not weights of the model and are skipped. */
export function isDroppedTensor(hfName: string): boolean {
  // CLIP's own projection head is unused by GIT; position_ids are index buffers.
  return hfName === 'git.image_encoder.visual_projection.weight' || hfName.endsWith('position_ids');
}

export function expectedTensors(hp: GitHparams): ExpectedTensor[] {
  const out: ExpectedTensor[] = [];
  const add = (hfName: string, ggufName: string, shape: number[], role: TensorRole) => out.push({ hfName, ggufName, shape, role });
  const linear = (hf: string, gguf: (s: string) => string, nOut: number, nIn: number) => {
    add(`${hf}.weight`, gguf('weight'), [nOut, nIn], 'matmul');
    add(`${hf}.bias`, gguf('bias'), [nOut], 'f32');
  };
  const norm = (hf: string, gguf: (s: string) => string, n: number) => {
    add(`${hf}.weight`, gguf('weight'), [n], 'f32');
    add(`${hf}.bias`, gguf('bias'), [n], 'f32');
  };

  const v = hp.vision;
  const vm = 'git.image_encoder.vision_model';
  add(`${vm}.embeddings.patch_embedding.weight`, TN.V_PATCH_EMBD, [v.hidden, v.channels, v.patchSize, v.patchSize], 'conv');
  add(`${vm}.embeddings.class_embedding`, TN.V_CLASS_EMBD, [v.hidden], 'f32');
  add(`${vm}.embeddings.position_embedding.weight`, TN.V_POS_EMBD, [v.patchesPerSide ** 2 + 1, v.hidden], 'f32');
  norm(`${vm}.pre_layrnorm`, TN.vPreLn, v.hidden);
  for (let il = 0; il < v.layers; il++) {
    const l = `${vm}.encoder.layers.${il}`;
    norm(`${l}.layer_norm1`, (s) => TN.vLn1(il, s), v.hidden);
    linear(`${l}.self_attn.q_proj`, (s) => TN.vAttnQ(il, s), v.hidden, v.hidden);
    linear(`${l}.self_attn.k_proj`, (s) => TN.vAttnK(il, s), v.hidden, v.hidden);
    linear(`${l}.self_attn.v_proj`, (s) => TN.vAttnV(il, s), v.hidden, v.hidden);
    linear(`${l}.self_attn.out_proj`, (s) => TN.vAttnOut(il, s), v.hidden, v.hidden);
    norm(`${l}.layer_norm2`, (s) => TN.vLn2(il, s), v.hidden);
    linear(`${l}.mlp.fc1`, (s) => TN.vFfnUp(il, s), v.ffn, v.hidden);
    linear(`${l}.mlp.fc2`, (s) => TN.vFfnDown(il, s), v.hidden, v.ffn);
  }
  norm(`${vm}.post_layernorm`, TN.vPostLn, v.hidden);
  for (let f = 0; f < hp.numFrames; f++) add(`git.img_temperal_embedding.${f}`, TN.vTemporal(f), [1, 1, v.hidden], 'f32');

  const t = hp.text;
  linear('git.visual_projection.visual_projection.0', TN.mmProj, t.hidden, v.hidden);
  norm('git.visual_projection.visual_projection.1', TN.mmNorm, t.hidden);

  add('git.embeddings.word_embeddings.weight', TN.TOKEN_EMBD, [t.vocabSize, t.hidden], 'token_embd');
  add('git.embeddings.position_embeddings.weight', TN.POS_EMBD, [t.maxPositions, t.hidden], 'f32');
  norm('git.embeddings.LayerNorm', TN.tokenEmbdNorm, t.hidden);
  for (let il = 0; il < t.layers; il++) {
    const l = `git.encoder.layer.${il}`;
    linear(`${l}.attention.self.query`, (s) => TN.attnQ(il, s), t.hidden, t.hidden);
    linear(`${l}.attention.self.key`, (s) => TN.attnK(il, s), t.hidden, t.hidden);
    linear(`${l}.attention.self.value`, (s) => TN.attnV(il, s), t.hidden, t.hidden);
    linear(`${l}.attention.output.dense`, (s) => TN.attnOut(il, s), t.hidden, t.hidden);
    norm(`${l}.attention.output.LayerNorm`, (s) => TN.attnOutNorm(il, s), t.hidden);
    linear(`${l}.intermediate.dense`, (s) => TN.ffnUp(il, s), t.ffn, t.hidden);
    linear(`${l}.output.dense`, (s) => TN.ffnDown(il, s), t.hidden, t.ffn);
    norm(`${l}.output.LayerNorm`, (s) => TN.ffnOutNorm(il, s), t.hidden);
  }
  add('output.weight', TN.output('weight'), [t.vocabSize, t.hidden], 'output');
  add('output.bias', TN.output('bias'), [t.vocabSize], 'f32');
  return out;
}
