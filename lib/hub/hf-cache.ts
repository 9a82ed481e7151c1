// The Hugging Face cache of huggingface_hub (and so of transformers and every Python tool):
//   <hub cache>/models--<owner>--<name>/refs/<revision>          the commit a revision resolved to
//   <hub cache>/models--<owner>--<name>/snapshots/<commit>/<file> a relative link into blobs/
//   <hub cache>/models--<owner>--<name>/blobs/<etag>              the file (sha256 or git sha1)
//   <hub cache>/models--<owner>--<name>/.no_exist/<commit>/<file> the repository has no such file
// gitcap reads checkpoints there in place and never changes or removes anything in that cache;
// with the hfCache option it adds its downloads to it, in the same layout.
import { access, copyFile, lstat, mkdir, readFile, rename, rm, symlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { GitcapError } from '../../core/errors.js';
import { isCommitHash } from './checkpoint.js';
import { ioError, writeFileAtomic } from './fs-util.js';

/** HF_HUB_CACHE, else HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub or ~/.cache/huggingface/hub. */
export function hfCacheDir(explicit?: unknown, env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  if (explicit !== undefined) {
    if (typeof explicit !== 'string' || explicit.length === 0) {
      throw new GitcapError('E_INVALID_ARG', `Expected a directory path for hfCacheDir but received ${JSON.stringify(explicit)}`);
    }
    return resolve(explicit);
  }
  const hubCache = env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE;
  if (hubCache) return resolve(hubCache);
  const hfHome = env.HF_HOME || join(env.XDG_CACHE_HOME || join(home, '.cache'), 'huggingface');
  return join(resolve(hfHome), 'hub');
}

/** GITCAP_USE_HF_CACHE=1 (or on/yes/true): downloads go into the Hugging Face cache. */
export function useHfCacheByDefault(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['1', 'ON', 'YES', 'TRUE'].includes((env.GITCAP_USE_HF_CACHE ?? '').trim().toUpperCase());
}

const exists = (path: string) => access(path).then(() => true, () => false);

/** A GIT checkpoint's files in a snapshot, or the first files it lacks. */
export type SnapshotCheck = { complete: true } | { complete: false; missing: string[] };

/** Files a checkpoint needs or may have (present, or recorded by huggingface_hub as absent). */
const REQUIRED = ['config.json', 'preprocessor_config.json'];
const OPTIONAL = ['tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json'];
const WEIGHTS = [
  ['model.safetensors', 'model.safetensors.index.json'],
  ['pytorch_model.bin', 'pytorch_model.bin.index.json'],
] as const;

export class HfRepoCache {
  readonly repoDir: string;

  constructor(
    readonly root: string,
    readonly repoId: string,
  ) {
    this.repoDir = join(root, `models--${repoId.split('/').join('--')}`);
  }

  snapshotDir(commit: string): string {
    return join(this.repoDir, 'snapshots', commit);
  }

  /** The commit of `revision` in this cache: a commit hash with a snapshot, or what refs/ says. */
  async resolve(revision: string): Promise<string | undefined> {
    if (isCommitHash(revision)) return (await exists(this.snapshotDir(revision))) ? revision : undefined;
    const ref = await readFile(join(this.repoDir, 'refs', ...revision.split('/')), 'utf8').catch(() => '');
    const commit = ref.trim();
    return isCommitHash(commit) && (await exists(this.snapshotDir(commit))) ? commit : undefined;
  }

  /** Whether the snapshot of `commit` holds every file gitcap needs to convert the checkpoint. */
  async check(commit: string): Promise<SnapshotCheck> {
    const dir = this.snapshotDir(commit);
    const has = (file: string) => exists(join(dir, file)); // follows the link: a lost blob is missing
    const knownAbsent = (file: string) => exists(join(this.repoDir, '.no_exist', commit, file));
    const missing: string[] = [];
    for (const file of REQUIRED) if (!(await has(file))) missing.push(file);
    if (!(await has('vocab.txt')) && !(await has('tokenizer.json'))) missing.push('vocab.txt (or tokenizer.json)');
    for (const file of OPTIONAL) if (!(await has(file)) && !(await knownAbsent(file))) missing.push(file);
    const weights = await this.#missingWeights(dir, has);
    missing.push(...weights);
    return missing.length === 0 ? { complete: true } : { complete: false, missing };
  }

  async #missingWeights(dir: string, has: (file: string) => Promise<boolean>): Promise<string[]> {
    for (const [single, index] of WEIGHTS) {
      if (await has(single)) return [];
      if (!(await has(index))) continue;
      const shards = await shardNames(join(dir, index));
      const absent = [];
      for (const shard of shards ?? []) if (!(await has(shard))) absent.push(shard);
      return shards ? absent : [index];
    }
    return ['model.safetensors (or pytorch_model.bin)'];
  }

  /**
   * Moves a verified download into the cache: the file becomes blobs/<etag> (unless that blob is
   * there already) and snapshots/<commit>/<file> a relative link to it.
   */
  async addFile(commit: string, file: string, etag: string, downloaded: string): Promise<void> {
    const blob = join(this.repoDir, 'blobs', etag);
    const link = join(this.snapshotDir(commit), file);
    try {
      await mkdir(dirname(blob), { recursive: true });
      await mkdir(dirname(link), { recursive: true });
      if (await exists(blob)) await rm(downloaded, { force: true });
      else await rename(downloaded, blob);
      if (await lstat(link).then(() => true, () => false)) await rm(link, { force: true });
      // huggingface_hub copies where links cannot be made (Windows without developer mode).
      await symlink(relative(dirname(link), blob), link).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPERM' && err.code !== 'ENOTSUP') throw err;
        await copyFile(blob, link);
      });
    } catch (err) {
      throw ioError(err, link);
    }
  }

  async writeRef(revision: string, commit: string): Promise<void> {
    if (revision === commit) return;
    const ref = join(this.repoDir, 'refs', ...revision.split('/'));
    await mkdir(dirname(ref), { recursive: true }).catch((err: unknown) => {
      throw ioError(err, ref);
    });
    // huggingface_hub writes the bare commit, without a newline.
    await writeFileAtomic(ref, commit);
  }
}

/** The distinct shard names of an index's weight_map; undefined when it is unreadable. */
async function shardNames(indexPath: string): Promise<string[] | undefined> {
  try {
    const index = JSON.parse(await readFile(indexPath, 'utf8')) as { weight_map?: Record<string, unknown> };
    const names = [...new Set(Object.values(index.weight_map ?? {}))];
    return names.length > 0 && names.every((n) => typeof n === 'string' && /^[\w.-]+$/.test(n)) ? (names as string[]) : undefined;
  } catch {
    return undefined;
  }
}
