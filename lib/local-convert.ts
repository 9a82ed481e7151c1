// A Hugging Face checkpoint folder given to GitModel.load(): converted once to a GGUF in the cache,
// keyed by the folder's files (path, size, mtime) and the quantization, and reused after that.
import { createHash } from 'node:crypto';
import { access, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { convertCheckpoint, type QuantType } from '../weights-convert/index.js';
import { resolveCacheDir } from './hub/cache.js';
import { acquireLock } from './hub/lock.js';

export interface LocalConvertProgress {
  phase: 'convert';
  tensorsDone: number;
  tensorsTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface LocalConvertOptions {
  quantization: QuantType;
  cacheDir?: string;
  onProgress?: (p: LocalConvertProgress) => void;
  signal?: AbortSignal;
}

async function folderKey(dir: string, quantization: QuantType): Promise<string> {
  const hash = createHash('sha256');
  const real = await realpath(dir);
  hash.update(real);
  for (const name of (await readdir(real)).sort()) {
    const st = await stat(join(real, name));
    if (st.isFile()) hash.update(`\0${name}\0${st.size}\0${st.mtimeMs}`);
  }
  return `${hash.digest('hex').slice(0, 24)}-${quantization}`;
}

/** Path of the GGUF for `dir`, converting it first when the cache does not have it. */
export async function convertLocalCheckpoint(dir: string, o: LocalConvertOptions): Promise<string> {
  const root = join(resolveCacheDir(o.cacheDir), 'local');
  const key = await folderKey(dir, o.quantization);
  const out = join(root, `${key}.gguf`);
  const exists = () => access(out).then(() => true, () => false);
  if (await exists()) return out;
  const lock = await acquireLock(join(root, `${key}.lock`), o.signal ? { signal: o.signal } : {});
  try {
    if (!(await exists())) {
      await convertCheckpoint(dir, out, {
        type: o.quantization,
        ...(o.signal !== undefined && { signal: o.signal }),
        ...(o.onProgress !== undefined && { onProgress: (p) => o.onProgress!({ phase: 'convert', ...p }) }),
      });
    }
  } finally {
    await lock.release();
  }
  return out;
}
