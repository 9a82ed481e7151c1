// The GGUFs converted from checkpoint folders (GitModel.load(<folder>), gitcap caption --model
// <folder>), in <cache>/local/: listed by gitcap ls, removed by gitcap rm <folder>.
import { readdir, realpath, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GitcapError } from '../../core/errors.js';
import { localDir, readLocalRecord } from './cache-convert.js';
import type { CacheEntry } from './cache-entries.js';
import { ioError } from './fs-util.js';
import { acquireLock } from './lock.js';
import { isQuantType, type QuantType } from './quantization.js';

const LOCAL_GGUF = /^([0-9a-f]{24})-(\w+)\.gguf$/;

/** Every GGUF in <cache>/local/; `repoId` is the folder it was last made or found for. */
export async function listLocal(root: string): Promise<CacheEntry[]> {
  const dir = localDir(root);
  const names = await readdir(dir).catch(() => [] as string[]);
  const entries: CacheEntry[] = [];
  for (const name of names.sort()) {
    const match = LOCAL_GGUF.exec(name);
    if (!match || !isQuantType(match[2]!)) continue;
    const path = join(dir, name);
    const record = await readLocalRecord(path.replace(/\.gguf$/, '.json'));
    const bytes = await stat(path).then((s) => s.size, () => undefined);
    if (bytes === undefined) continue; // removed meanwhile
    entries.push({
      repoId: record?.sources.at(-1) ?? '(unknown folder)',
      commit: match[1]!,
      revisions: [],
      kind: 'gguf',
      quantization: match[2],
      bytes,
      path,
      origin: 'local',
      ...(record && { sources: record.sources }),
    });
  }
  return entries;
}

/** Removes the GGUFs converted from `folder` (any copy of it seen by gitcap), or only `quantization`'s. */
export async function removeLocal(root: string, folder: string, quantization: QuantType | undefined): Promise<CacheEntry[]> {
  const wanted = new Set([resolve(folder), await realpath(folder).catch(() => resolve(folder))]);
  const matching = (await listLocal(root)).filter(
    (e) => (e.sources ?? []).some((s) => wanted.has(s)) && (quantization === undefined || e.quantization === quantization),
  );
  if (matching.length === 0) {
    const what = quantization === undefined ? folder : `${folder} (${quantization})`;
    throw new GitcapError('E_NOT_FOUND', `No cached model was converted from ${what} in ${root}`);
  }
  for (const entry of matching) {
    const base = entry.path.replace(/\.gguf$/, '');
    const lock = await acquireLock(`${base}.lock`);
    try {
      for (const path of [entry.path, `${base}.json`]) {
        await rm(path, { force: true }).catch((err: unknown) => {
          throw ioError(err, path);
        });
      }
    } finally {
      await lock.release();
    }
  }
  return matching;
}
