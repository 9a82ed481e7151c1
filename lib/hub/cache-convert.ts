// Checkpoints converted into the cache: the one place a GGUF of the cache is written (from a hub
// download or from a local folder). A checkpoint folder given to GitModel.load() is converted once,
// keyed by the content of the folder's files and the quantization, and reused after that: a copy
// of the same checkpoint elsewhere finds the same GGUF.
//   <cache>/local/<content key>-<quant>.gguf    the converted model
//   <cache>/local/<content key>-<quant>.json    where it came from (gitcap ls, gitcap rm <folder>)
//   <cache>/local/keys/<stat key>               the content key of a folder as last seen (path,
//                                               names, sizes, mtimes), so unchanged folders are
//                                               not read again
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { convertCheckpoint, type QuantType } from '../../weights-convert/index.js';
import { resolveCacheDir } from './cache.js';
import { ioError, writeFileAtomic } from './fs-util.js';
import { acquireLock } from './lock.js';

/** Progress of a conversion into the cache. */
export interface ConvertProgress {
  phase: 'convert';
  /** The GGUF being written. */
  file: string;
  bytesDone: number;
  bytesTotal: number;
  tensorsDone: number;
  tensorsTotal: number;
  /** The tensor being converted, when the converter says. */
  tensor: string | undefined;
}

export interface ConvertIntoCacheOptions {
  onProgress?: ((p: ConvertProgress) => void) | undefined;
  signal?: AbortSignal | undefined;
}

export interface LocalConvertOptions extends ConvertIntoCacheOptions {
  quantization: QuantType;
  cacheDir?: string | undefined;
}

/**
 * Converts the checkpoint in `sourceDir` into `ggufPath`. The converter writes it under a
 * temporary name, syncs and renames it, so a GGUF in the cache is always complete.
 */
export async function convertIntoCache(sourceDir: string, ggufPath: string, quantization: QuantType, o: ConvertIntoCacheOptions): Promise<void> {
  const file = basename(ggufPath);
  await mkdir(dirname(ggufPath), { recursive: true }).catch((err: unknown) => {
    throw ioError(err, dirname(ggufPath));
  });
  // The converter's own errors are GitcapErrors already (E_IO for what it reads and writes).
  await convertCheckpoint(sourceDir, ggufPath, {
    type: quantization,
    signal: o.signal,
    onProgress: (p) =>
      o.onProgress?.({
        phase: 'convert',
        file,
        bytesDone: p.bytesDone,
        bytesTotal: p.bytesTotal,
        tensorsDone: p.tensorsDone,
        tensorsTotal: p.tensorsTotal,
        tensor: p.name,
      }),
  });
}

/** What `<key>-<quant>.json` holds. */
export interface LocalRecord {
  /** Every folder this GGUF was made or found for (real paths), most recent last. */
  sources: string[];
  quantization: QuantType;
}

export const localDir = (cacheRoot: string) => join(cacheRoot, 'local');

/** The folder's regular files (dot files aside): their names, sorted. */
async function checkpointFiles(dir: string): Promise<string[]> {
  // stat, not the entry's type: a snapshot of the Hugging Face cache is made of links.
  const names = (await readdir(dir)).filter((name) => !name.startsWith('.')).sort();
  const isFile = await Promise.all(names.map((name) => stat(join(dir, name)).then((s) => s.isFile(), () => false)));
  return names.filter((_, i) => isFile[i]);
}

async function fileHash(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** sha256 over every file's name, size and sha256; cached per (path, sizes, mtimes). */
async function contentKey(dir: string, root: string): Promise<string> {
  const files = await checkpointFiles(dir);
  const stats = await Promise.all(files.map((f) => stat(join(dir, f))));
  const statKey = createHash('sha256').update(dir);
  files.forEach((f, i) => statKey.update(`\0${f}\0${stats[i]!.size}\0${stats[i]!.mtimeMs}`));
  const memo = join(root, 'keys', statKey.digest('hex').slice(0, 32));
  const known = await readFile(memo, 'utf8').catch(() => '');
  if (/^[0-9a-f]{24}$/.test(known)) return known;
  const content = createHash('sha256');
  for (const [i, f] of files.entries()) content.update(`${f}\0${stats[i]!.size}\0${await fileHash(join(dir, f))}\0`);
  const key = content.digest('hex').slice(0, 24);
  await mkdir(join(root, 'keys'), { recursive: true }).catch((err: unknown) => {
    throw ioError(err, join(root, 'keys'));
  });
  await writeFileAtomic(memo, key);
  return key;
}

/** Adds `source` to the record of `gguf` (written when missing). */
async function recordSource(gguf: string, source: string, quantization: QuantType): Promise<void> {
  const recordPath = gguf.replace(/\.gguf$/, '.json');
  const record = await readLocalRecord(recordPath);
  if (record?.sources.at(-1) === source) return;
  const sources = [...(record?.sources ?? []).filter((s) => s !== source), source];
  await writeFileAtomic(recordPath, `${JSON.stringify({ sources, quantization } satisfies LocalRecord, null, 2)}\n`);
}

export async function readLocalRecord(recordPath: string): Promise<LocalRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(recordPath, 'utf8')) as Partial<LocalRecord>;
    return Array.isArray(record.sources) && typeof record.quantization === 'string' ? (record as LocalRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** Path of the GGUF for `dir`, converting it first when the cache does not have it. */
export async function convertLocalCheckpoint(dir: string, o: LocalConvertOptions): Promise<string> {
  const root = localDir(resolveCacheDir(o.cacheDir));
  const source = await realpath(dir);
  const key = `${await contentKey(source, root)}-${o.quantization}`;
  const out = join(root, `${key}.gguf`);
  const exists = () => access(out).then(() => true, () => false);
  if (!(await exists())) {
    const lock = await acquireLock(join(root, `${key}.lock`), { signal: o.signal });
    try {
      if (!(await exists())) await convertIntoCache(dir, out, o.quantization, o);
    } finally {
      await lock.release();
    }
  }
  await recordSource(out, source, o.quantization);
  return out;
}
