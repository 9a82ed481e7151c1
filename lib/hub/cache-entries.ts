import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GitcapError } from '../../core/errors.js';
import { RepoCache, exists, hfOriginPath } from './cache.js';
import { listLocal } from './local-entries.js';
import { ioError } from './fs-util.js';
import { acquireLock, type LockOptions } from './lock.js';
import { isQuantType, type QuantType } from './quantization.js';

/** One thing in the cache: a converted GGUF, or a checkpoint kept with keepSource. */
export interface CacheEntry {
  repoId: string;
  commit: string;
  /** Revisions (branch, tag) last seen pointing at this commit. */
  revisions: string[];
  kind: 'gguf' | 'source';
  /** For GGUFs. */
  quantization: QuantType | undefined;
  bytes: number;
  path: string;
  /**
   * 'hub': downloaded into gitcap's cache; 'hf-cache': converted from the Hugging Face cache;
   * 'local': converted from a checkpoint folder (then `repoId` is that folder and `commit` a
   * hash of its content).
   */
  origin: 'hub' | 'hf-cache' | 'local';
  /** 'local' entries: every folder (a copy of the same checkpoint) it was made or found for. */
  sources?: string[];
}

const COMMIT = /^[0-9a-f]{40}$/;

/** Everything cached under `root`, sorted by repository, commit, quantization. */
export async function listCache(root: string): Promise<CacheEntry[]> {
  const entries: CacheEntry[] = [];
  for (const folder of await names(join(root, 'models'))) {
    const repoId = folder.replace('--', '/');
    const cache = new RepoCache(root, repoId);
    const refs = await readRefs(cache);
    for (const commit of (await names(cache.repoDir)).filter((n) => COMMIT.test(n))) {
      const revisions = refs.get(commit) ?? [];
      const prefix = `${repoId.split('/').pop()}-`;
      for (const file of await names(join(cache.repoDir, commit))) {
        const quantization = file.startsWith(prefix) && file.endsWith('.gguf') ? file.slice(prefix.length, -5) : '';
        if (!isQuantType(quantization)) continue;
        const path = join(cache.repoDir, commit, file);
        const origin = (await exists(hfOriginPath(path))) ? 'hf-cache' : 'hub';
        entries.push({ repoId, commit, revisions, kind: 'gguf', quantization, bytes: (await stat(path)).size, path, origin });
      }
      const source = cache.sourceDir(commit);
      const sourceFiles = await names(source);
      if (sourceFiles.includes('.complete.json')) {
        let bytes = 0;
        for (const file of sourceFiles) bytes += (await stat(join(source, file))).size;
        entries.push({ repoId, commit, revisions, kind: 'source', quantization: undefined, bytes, path: source, origin: 'hub' });
      }
    }
  }
  entries.push(...(await listLocal(root)));
  const order = (e: CacheEntry) => `${e.repoId}\0${e.commit}\0${e.kind}\0${e.quantization ?? ''}`;
  return entries.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/**
 * Removes the cached GGUFs of `repoId` (only those of `quantization` when given; everything,
 * kept sources included, otherwise) while holding the repository's lock. Returns what it removed.
 */
export async function removeCached(
  root: string,
  repoId: string,
  quantization: QuantType | undefined,
  lockOptions: LockOptions = {},
): Promise<CacheEntry[]> {
  const cache = new RepoCache(root, repoId);
  const lock = await acquireLock(cache.lockPath, lockOptions);
  try {
    const matching = (await listCache(root)).filter(
      (e) => e.repoId === repoId && (quantization === undefined || e.quantization === quantization),
    );
    if (matching.length === 0) {
      const what = quantization === undefined ? repoId : `${repoId} (${quantization})`;
      throw new GitcapError('E_NOT_FOUND', `No cached model matches ${what} in ${root}`);
    }
    if (quantization === undefined) {
      await removePath(cache.repoDir);
    } else {
      for (const entry of matching) {
        await removePath(entry.path);
        await removePath(hfOriginPath(entry.path));
      }
      await pruneCommits(cache);
    }
    return matching;
  } finally {
    await lock.release();
  }
}

/** Drops commit folders with nothing cached in them, and the refs that point to them. */
async function pruneCommits(cache: RepoCache): Promise<void> {
  const left = new Set((await listCache(cache.root)).filter((e) => e.repoId === cache.repoId).map((e) => e.commit));
  for (const commit of (await names(cache.repoDir)).filter((n) => COMMIT.test(n) && !left.has(n))) {
    await removePath(join(cache.repoDir, commit));
  }
  for (const [commit, revisions] of await readRefs(cache)) {
    if (!left.has(commit)) for (const revision of revisions) await removePath(cache.refPath(revision));
  }
  if (left.size === 0) await removePath(cache.repoDir);
}

/** commit → revisions, from the refs folder. */
async function readRefs(cache: RepoCache): Promise<Map<string, string[]>> {
  const byCommit = new Map<string, string[]>();
  for (const name of await names(join(cache.repoDir, 'refs'))) {
    const commit = (await readFile(join(cache.repoDir, 'refs', name), 'utf8').catch(() => '')).trim();
    if (!COMMIT.test(commit)) continue;
    byCommit.set(commit, [...(byCommit.get(commit) ?? []), decodeURIComponent(name)]);
  }
  return byCommit;
}

async function removePath(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
  } catch (err) {
    throw ioError(err, path);
  }
}

async function names(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}
