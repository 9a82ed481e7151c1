import { rm } from 'node:fs/promises';
import { GitcapError, isGitcapError, throwIfAborted } from '../../core/errors.js';
import { convertIntoCache, type ConvertProgress } from './cache-convert.js';
import { RepoCache, exists, hfOriginPath, resolveCacheDir } from './cache.js';
import { offlineSource, onlineSource, type SourceOptions } from './checkpoint-source.js';
import { isOfflineMode, resolveEndpoint, resolveToken, validateRepoId, validateRevision } from './endpoint.js';
import { ioError, writeFileAtomic } from './fs-util.js';
import { HfRepoCache, hfCacheDir, useHfCacheByDefault } from './hf-cache.js';
import { acquireLock } from './lock.js';
import { DEFAULT_QUANTIZATION, validateQuantization, type QuantType } from './quantization.js';
import { validateRetryPolicy, type RetryPolicy } from './retry.js';
import type { DownloadProgress } from './source.js';

export const DEFAULT_REPO_ID = 'microsoft/git-base-vatex';

/** Another process is pulling the same repository; this one waits for it. */
export interface WaitProgress {
  phase: 'wait';
  lockPath: string;
  holderPid: number | undefined;
}

export type PullProgress = DownloadProgress | ConvertProgress | WaitProgress;

export interface PullOptions {
  /** Branch, tag or commit (default "main"). */
  revision?: string;
  /** Weight type of the GGUF (default "q8_0"). */
  quantization?: QuantType;
  /** Default: GITCAP_CACHE or the platform's cache folder (see README, "Model cache"). */
  cacheDir?: string;
  onProgress?: (progress: PullProgress) => void;
  signal?: AbortSignal;
  /** For gated or private repositories; default HF_TOKEN. */
  token?: string;
  /** Keep the downloaded checkpoint next to the GGUF (default false). */
  keepSource?: boolean;
  /** Default HF_ENDPOINT or https://huggingface.co. */
  endpoint?: string;
  /** Use the cache only; default true when HF_HUB_OFFLINE is 1/ON/YES/TRUE. */
  offline?: boolean;
  /** Ask the hub what the revision points to now, even when the cache has it (default false). */
  update?: boolean;
  retry?: RetryPolicy;
  /**
   * Downloads go into the Hugging Face cache, in its own layout, so that Python tools share them
   * (the GGUF stays in gitcap's cache). Default: GITCAP_USE_HF_CACHE. Whatever this says, a
   * checkpoint already in the Hugging Face cache is read from there.
   */
  hfCache?: boolean;
  /** The Hugging Face cache; default HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub. */
  hfCacheDir?: string;
}

export interface PullResult {
  ggufPath: string;
  repoId: string;
  commit: string;
  quantization: QuantType;
  /** True when nothing was downloaded or converted. */
  fromCache: boolean;
}

/**
 * Returns the path of a GGUF for `repoId`: from the cache when it has one for the revision
 * (no request at all), else downloads the checkpoint, converts it and caches the result.
 * Processes pulling the same repository at once take turns through a lock file.
 */
export async function pullModel(repoId: string, options: PullOptions = {}): Promise<PullResult> {
  const { revision = 'main', quantization = DEFAULT_QUANTIZATION, onProgress, signal } = options;
  validateRepoId(repoId);
  validateRevision(revision);
  validateQuantization(quantization);
  // Options are checked now, even when the cache answers; the environment only when used.
  if (options.endpoint !== undefined) resolveEndpoint(options.endpoint);
  resolveToken(options.token);
  if (options.retry !== undefined) validateRetryPolicy(options.retry);
  if (options.hfCacheDir !== undefined) hfCacheDir(options.hfCacheDir);
  if (options.hfCache !== undefined && typeof options.hfCache !== 'boolean') {
    throw new GitcapError('E_INVALID_ARG', `Expected a boolean for hfCache but received ${JSON.stringify(options.hfCache)}`);
  }
  const cache = new RepoCache(resolveCacheDir(options.cacheDir), repoId);
  const offline = options.offline ?? isOfflineMode();
  const result = (commit: string, ggufPath: string, fromCache: boolean): PullResult => ({
    ggufPath,
    repoId,
    commit,
    quantization,
    fromCache,
  });
  throwIfAborted(signal);

  const cached = options.update && !offline ? undefined : await cache.findGguf(revision, quantization);
  if (cached) return result(cached.commit, cached.ggufPath, true);

  const lock = await acquireLock(cache.lockPath, {
    signal,
    onWait: (holder) => onProgress?.({ phase: 'wait', lockPath: cache.lockPath, holderPid: holder?.pid }),
  });
  try {
    // The process that held the lock may have just cached it.
    const cachedNow = options.update && !offline ? undefined : await cache.findGguf(revision, quantization);
    if (cachedNow) return result(cachedNow.commit, cachedNow.ggufPath, true);

    const hf = new HfRepoCache(hfCacheDir(options.hfCacheDir), repoId);
    const sourceOptions: SourceOptions = { ...options, revision, quantization, hfCache: options.hfCache ?? useHfCacheByDefault() };
    const source = offline
      ? await offlineSource(cache, hf, sourceOptions)
      : await onlineSource(cache, hf, repoId, sourceOptions).catch(withOfflineHint);
    const { commit } = source;
    const ggufPath = cache.ggufPath(commit, quantization);
    const fromCache = await exists(ggufPath);
    if (!fromCache && source.inHfCache) {
      // Read in place; the snapshot is never removed.
      await convertIntoCache(source.dir, ggufPath, quantization, options);
      await writeFileAtomic(hfOriginPath(ggufPath), `${source.dir}\n`);
    } else if (!fromCache) {
      await convertKeepingSourceIfAsked(source.dir, ggufPath, quantization, options);
    }
    await cache.writeRef(revision, commit);
    return result(commit, ggufPath, fromCache);
  } finally {
    await lock.release();
  }
}

/**
 * Converts, then deletes the download unless keepSource. A checkpoint the converter rejects is
 * deleted too (a new pull would fail the same way); after other failures (abort, disk full) it
 * stays, to be converted next time without downloading.
 */
async function convertKeepingSourceIfAsked(
  sourceDir: string,
  ggufPath: string,
  quantization: QuantType,
  options: PullOptions,
): Promise<void> {
  try {
    await convertIntoCache(sourceDir, ggufPath, quantization, options);
  } catch (err) {
    const rejected = isGitcapError(err, 'E_MODEL_FORMAT') || isGitcapError(err, 'E_UNSUPPORTED');
    if (!options.keepSource && rejected) await removeSource(sourceDir);
    throw err;
  }
  if (!options.keepSource) await removeSource(sourceDir);
}

async function removeSource(sourceDir: string): Promise<void> {
  try {
    await rm(sourceDir, { recursive: true, force: true });
  } catch (err) {
    throw ioError(err, sourceDir);
  }
}

/** The hub cannot be reached: say how to caption without it. */
function withOfflineHint(err: unknown): never {
  if (!isGitcapError(err, 'E_NETWORK')) throw err;
  throw new GitcapError(
    'E_NETWORK',
    `${err.message}. To caption without the hub, convert a checkpoint folder you have ("gitcap convert <folder> -o model.gguf") and pass "--model model.gguf" (the API: GitModel.load("model.gguf"))`,
    { cause: err },
  );
}
