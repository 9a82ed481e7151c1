// Finds and opens the weights of a Hugging Face model folder: one file or a sharded set.

import { basename, dirname, join, resolve } from 'node:path';
import { access } from 'node:fs/promises';
import { GitcapError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import { readJsonObject } from './files.js';
import { openSafetensors } from './safetensors.js';
import type { SourceTensor, TensorSource } from './tensor-source.js';
import { openTorchZip } from './torch-zip.js';

/** Looked for in this order when no weights file is named. */
export const WEIGHTS_FILES = [
  'model.safetensors.index.json',
  'model.safetensors',
  'pytorch_model.bin.index.json',
  'pytorch_model.bin',
] as const;

type Opened = { tensors: SourceTensor[]; close: () => Promise<void> };

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function openOne(file: string): Promise<Opened> {
  return file.endsWith('.safetensors') ? openSafetensors(file) : openTorchZip(file);
}

/** Shard file names from an index's weight_map, in first-use order. */
function shardNames(indexFile: string, index: Record<string, unknown>): Map<string, string> {
  const map = index.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new GitcapError('E_MODEL_FORMAT', `${indexFile}: weight_map is missing or not an object`);
  }
  const byTensor = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(map)) {
    if (typeof shard !== 'string' || shard !== basename(shard) || shard === '..' || shard === '.') {
      throw new GitcapError('E_MODEL_FORMAT', `${indexFile}: weight_map entry ${tensor} does not name a file in the same folder`);
    }
    byTensor.set(tensor, shard);
  }
  return byTensor;
}

async function openSharded(indexFile: string, opened: Opened[]): Promise<Map<string, SourceTensor>> {
  const byTensor = shardNames(indexFile, await readJsonObject(indexFile));
  const dir = dirname(indexFile);
  const tensors = new Map<string, SourceTensor>();
  for (const shard of new Set(byTensor.values())) {
    const o = await openOne(join(dir, shard));
    opened.push(o);
    for (const t of o.tensors) {
      const other = tensors.get(t.name);
      if (other) throw new GitcapError('E_MODEL_FORMAT', `${indexFile}: tensor ${printable(t.name)} is in both ${other.file} and ${t.file}`);
      if (byTensor.get(t.name) !== shard) {
        throw new GitcapError('E_MODEL_FORMAT', `${indexFile}: tensor ${printable(t.name)} is in ${shard} but the index does not list it there`);
      }
      tensors.set(t.name, t);
    }
  }
  for (const [tensor, shard] of byTensor) {
    if (!tensors.has(tensor)) throw new GitcapError('E_MODEL_FORMAT', `${indexFile}: tensor ${tensor} is listed but ${shard} does not hold it`);
  }
  return tensors;
}

/**
 * Opens the weights in `dir`: `weightsFile` (a name inside `dir`) when given, else the first of
 * WEIGHTS_FILES that exists.
 */
export async function openCheckpoint(dir: string, weightsFile?: string): Promise<TensorSource> {
  let file: string | undefined;
  if (weightsFile !== undefined) {
    file = resolve(dir, weightsFile);
  } else {
    for (const name of WEIGHTS_FILES) {
      if (await exists(join(dir, name))) {
        file = join(dir, name);
        break;
      }
    }
    if (!file) throw new GitcapError('E_NOT_FOUND', `${dir}: no weights found (looked for ${WEIGHTS_FILES.join(', ')})`);
  }
  const opened: Opened[] = [];
  const closeAll = async () => {
    for (const o of opened) await o.close();
  };
  try {
    let tensors: Map<string, SourceTensor>;
    if (file.endsWith('.index.json')) {
      tensors = await openSharded(file, opened);
    } else {
      const o = await openOne(file);
      opened.push(o);
      tensors = new Map(o.tensors.map((t) => [t.name, t]));
    }
    return { files: [...new Set([...tensors.values()].map((t) => t.file))], tensors, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
