// Hugging Face GIT checkpoint -> GGUF, streaming: the header (which holds every tensor's offset)
// is computed from shapes and types first, then tensors are converted and written one chunk at a
// time into a temporary file that is synced and renamed over `outPath` only when complete.

import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GitcapError, throwIfAborted } from '../core/errors.js';
import { syncDirectory } from '../core/sync-directory.js';
import { openCheckpoint } from './checkpoint.js';
import { serializeGgufHeader } from './gguf-writer.js';
import { buildMetadata } from './metadata.js';
import { readModelDescription } from './model-description.js';
import { needsQuantizer, planConversion, type Plan } from './plan.js';
import { QUANT_TYPES, TYPE_INFO, isBlockQuantized, isQuantType, type QuantType } from './quant-types.js';
import type { Quantizer } from './quantizer.js';
import { convertTensor } from './tensor-convert.js';

export interface ConvertProgress {
  tensorsDone: number;
  tensorsTotal: number;
  /** checkpoint bytes converted so far */
  bytesDone: number;
  bytesTotal: number;
  /** the GGUF name of the tensor being converted */
  name?: string;
}

export interface ConvertOptions {
  /** type of the matmul weights (default: DEFAULT_TYPE, q8_0) */
  type?: QuantType;
  /** type of the LM head, output.weight (default: `type`) */
  outputType?: QuantType;
  /** type of the word embeddings, token_embd.weight (default: `type`) */
  tokenEmbdType?: QuantType;
  /** the weights file inside the folder (default: the first of checkpoint.ts's WEIGHTS_FILES) */
  weightsFile?: string;
  /** general.name (default: config.json's _name_or_path, else the folder name) */
  name?: string;
  onProgress?: (p: ConvertProgress) => void;
  signal?: AbortSignal;
  /** receives each warning (fallback types, NaN/Inf values) as it happens */
  log?: (msg: string) => void;
}

export interface ConvertResult {
  outPath: string;
  /** tensors written */
  tensors: number;
  /** size of the GGUF file */
  bytes: number;
  /** the type asked for the matmul weights (general.file_type follows it) */
  fileType: QuantType;
  warnings: string[];
}

export const DEFAULT_TYPE: QuantType = 'q8_0';

function typeOption(opts: ConvertOptions, key: 'type' | 'outputType' | 'tokenEmbdType', fallback: QuantType): QuantType {
  const v = opts[key];
  if (v === undefined) return fallback;
  if (!isQuantType(v)) {
    throw new GitcapError('E_INVALID_ARG', `Expected one of ${QUANT_TYPES.join(', ')} for ${key} but received ${JSON.stringify(v)}`);
  }
  return v;
}

async function writeAll(fh: FileHandle, path: string, bytes: Uint8Array, position: number): Promise<void> {
  try {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, position + done);
      done += bytesWritten;
    }
  } catch (err) {
    throw new GitcapError('E_IO', `${path}: write failed: ${(err as Error).message}`, { cause: err });
  }
}

async function writeData(
  fh: FileHandle,
  tmpPath: string,
  dataStart: number,
  plan: Plan,
  quantizer: Quantizer | undefined,
  opts: ConvertOptions,
  warn: (msg: string) => void,
): Promise<void> {
  const total = plan.tensors.length;
  let bytesDone = 0;
  for (const [i, t] of plan.tensors.entries()) {
    opts.onProgress?.({ tensorsDone: i, tensorsTotal: total, bytesDone, bytesTotal: plan.sourceBytes, name: t.ggufName });
    let position = dataStart + t.offset;
    let nonFinite = 0;
    for await (const chunk of convertTensor(t, quantizer)) {
      throwIfAborted(opts.signal);
      await writeAll(fh, tmpPath, chunk.bytes, position);
      position += chunk.bytes.length;
      nonFinite += chunk.nonFinite;
      bytesDone += chunk.sourceBytes;
      opts.onProgress?.({ tensorsDone: i, tensorsTotal: total, bytesDone, bytesTotal: plan.sourceBytes, name: t.ggufName });
    }
    if (position !== dataStart + t.offset + t.size) {
      // The plan and the conversion disagree: a bug, not a property of the checkpoint.
      throw new Error(`${t.ggufName}: ${position - dataStart - t.offset} bytes were converted but ${t.size} were planned`);
    }
    if (nonFinite > 0) {
      const stored = isBlockQuantized(t.type) ? `; stored as 0 in ${t.type}` : '';
      warn(`${t.source.file}: tensor ${t.source.name} has ${nonFinite} NaN or infinite values${stored}`);
    }
  }
  // Padding after the last tensor, so the file ends where the header says the data ends.
  const end = dataStart + plan.dataSize;
  const last = plan.tensors[plan.tensors.length - 1];
  const written = last ? dataStart + last.offset + last.size : dataStart;
  if (end > written) await writeAll(fh, tmpPath, new Uint8Array(end - written), written);
  opts.onProgress?.({ tensorsDone: total, tensorsTotal: total, bytesDone, bytesTotal: plan.sourceBytes });
}

/**
 * Converts the checkpoint in `srcDir` to a GGUF at `outPath`. `loadQuantizer` is called only
 * when some tensor needs a block type (so f32/f16 conversions work without the addon).
 */
export async function convert(
  srcDir: string,
  outPath: string,
  opts: ConvertOptions,
  loadQuantizer: () => Promise<Quantizer>,
): Promise<ConvertResult> {
  const type = typeOption(opts, 'type', DEFAULT_TYPE);
  const choice = {
    type,
    outputType: typeOption(opts, 'outputType', type),
    tokenEmbdType: typeOption(opts, 'tokenEmbdType', type),
  };
  throwIfAborted(opts.signal);
  const warnings: string[] = [];
  const warn = (msg: string) => {
    warnings.push(msg);
    opts.log?.(msg);
  };

  const { description, warnings: configWarnings } = await readModelDescription(srcDir, opts.name, TYPE_INFO[type].fileType);
  configWarnings.forEach(warn);
  const source = await openCheckpoint(srcDir, opts.weightsFile);
  const tmpPath = `${outPath}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
  let fh: FileHandle | undefined;
  try {
    const plan = planConversion(source, description.hparams, choice);
    plan.warnings.forEach(warn);
    const quantizer = needsQuantizer(plan) ? await loadQuantizer() : undefined;
    const header = serializeGgufHeader(
      buildMetadata(description),
      plan.tensors.map((t) => ({ name: t.ggufName, ne: t.ne, ggmlType: TYPE_INFO[t.type].ggmlType, offset: t.offset })),
    );
    throwIfAborted(opts.signal);
    try {
      fh = await open(tmpPath, 'wx');
    } catch (err) {
      throw new GitcapError('E_IO', `${tmpPath}: cannot create the output file: ${(err as Error).message}`, { cause: err });
    }
    await writeAll(fh, tmpPath, header, 0);
    await writeData(fh, tmpPath, header.length, plan, quantizer, opts, warn);
    // On disk before it gets its name, so that a crash never leaves a complete-looking file.
    await fh.sync().catch((err: Error) => {
      throw new GitcapError('E_IO', `${tmpPath}: sync failed: ${err.message}`, { cause: err });
    });
    await fh.close();
    fh = undefined;
    try {
      await rename(tmpPath, outPath);
    } catch (err) {
      throw new GitcapError('E_IO', `${outPath}: cannot move the finished file into place: ${(err as Error).message}`, { cause: err });
    }
    await syncDirectory(dirname(outPath));
    return { outPath, tensors: plan.tensors.length, bytes: header.length + plan.dataSize, fileType: type, warnings };
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await rm(tmpPath, { force: true }).catch(() => undefined);
    throw err;
  } finally {
    await source.close();
  }
}
