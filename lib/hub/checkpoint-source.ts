// Where the checkpoint to convert comes from: the Hugging Face cache (read in place), a
// checkpoint kept in gitcap's cache, or a download (into gitcap's cache, or with hfCache into
// the Hugging Face cache).
import { rm } from 'node:fs/promises';
import { GitcapError } from '../../core/errors.js';
import { exists, type RepoCache } from './cache.js';
import { planCheckpoint, resolveCommit } from './checkpoint.js';
import { resolveEndpoint, resolveToken } from './endpoint.js';
import { ioError } from './fs-util.js';
import type { HfRepoCache } from './hf-cache.js';
import { closeSession, openSession } from './http.js';
import type { QuantType } from './quantization.js';
import { DEFAULT_RETRY, validateRetryPolicy, type RetryPolicy } from './retry.js';
import { downloadSource, isSourceComplete, type DownloadProgress } from './source.js';
import { join } from 'node:path';

export interface CheckpointSource {
  commit: string;
  /** The folder to convert. */
  dir: string;
  /** `dir` is a snapshot of the Hugging Face cache: never to be removed. */
  inHfCache: boolean;
}

export interface SourceOptions {
  revision: string;
  quantization: QuantType;
  endpoint?: string | undefined;
  token?: string | undefined;
  signal?: AbortSignal | undefined;
  retry?: RetryPolicy | undefined;
  update?: boolean | undefined;
  /** Downloads go into the Hugging Face cache. */
  hfCache: boolean;
  onProgress?: ((p: DownloadProgress) => void) | undefined;
}

const fromHfCache = (hf: HfRepoCache, commit: string): CheckpointSource => ({ commit, dir: hf.snapshotDir(commit), inHfCache: true });
const fromGitcapCache = (cache: RepoCache, commit: string): CheckpointSource => ({ commit, dir: cache.sourceDir(commit), inHfCache: false });

/** The Hugging Face cache's snapshot of `revision` when it is complete; else what it lacks. */
async function hfSnapshot(hf: HfRepoCache, revision: string): Promise<{ commit: string; missing: string[] } | undefined> {
  const commit = await hf.resolve(revision);
  if (!commit) return undefined;
  const check = await hf.check(commit);
  return { commit, missing: check.complete ? [] : check.missing };
}

/** Offline: a complete snapshot of the Hugging Face cache, else a checkpoint kept with keepSource. */
export async function offlineSource(cache: RepoCache, hf: HfRepoCache, o: SourceOptions): Promise<CheckpointSource> {
  const snapshot = await hfSnapshot(hf, o.revision);
  if (snapshot?.missing.length === 0) return fromHfCache(hf, snapshot.commit);
  const kept = await cache.readRef(o.revision);
  if (kept && (await isSourceComplete(cache.sourceDir(kept)))) return fromGitcapCache(cache, kept);
  const revisionFlag = o.revision === 'main' ? '' : ` --revision ${o.revision}`;
  const pull = `run "gitcap pull ${cache.repoId}${revisionFlag} --quant ${o.quantization}" once while online`;
  if (snapshot) {
    throw new GitcapError(
      'E_NOT_FOUND',
      `${cache.repoId} (revision ${o.revision}) is in the Hugging Face cache at ${hf.snapshotDir(snapshot.commit)} without ${snapshot.missing.join(', ')}, and offline mode (HF_HUB_OFFLINE or the offline option) forbids downloading it: ${pull}`,
    );
  }
  throw new GitcapError(
    'E_NOT_FOUND',
    `${cache.repoId} (revision ${o.revision}, ${o.quantization}) is not in the cache at ${cache.root} nor in the Hugging Face cache at ${hf.root}, and offline mode (HF_HUB_OFFLINE or the offline option) forbids downloading it: ${pull}`,
  );
}

/**
 * Online: a complete snapshot of the Hugging Face cache is used without any request (unless
 * `update`); otherwise the hub says which commit the revision is, and what is cached for that
 * commit is used, or the checkpoint is downloaded.
 */
export async function onlineSource(cache: RepoCache, hf: HfRepoCache, repoId: string, o: SourceOptions): Promise<CheckpointSource> {
  if (!o.update) {
    const snapshot = await hfSnapshot(hf, o.revision);
    if (snapshot?.missing.length === 0) return fromHfCache(hf, snapshot.commit);
  }
  const session = openSession({
    endpoint: resolveEndpoint(o.endpoint),
    repoId,
    revision: o.revision,
    token: resolveToken(o.token),
    signal: o.signal,
    retry: validateRetryPolicy(o.retry ?? DEFAULT_RETRY),
  });
  try {
    const commit = await resolveCommit(session);
    if (await exists(cache.ggufPath(commit, o.quantization))) return fromGitcapCache(cache, commit);
    if ((await hf.resolve(commit)) && (await hf.check(commit)).complete) return fromHfCache(hf, commit);
    const staging = cache.sourceDir(commit);
    if (await isSourceComplete(staging)) return fromGitcapCache(cache, commit);
    const files = await planCheckpoint(session, commit, staging);
    await downloadSource(session, commit, files, staging, o.onProgress);
    // Blobs are named by their hash: a file without one stays in gitcap's cache.
    if (!o.hfCache || files.some((f) => f.etag === undefined)) return fromGitcapCache(cache, commit);
    for (const f of files) await hf.addFile(commit, f.file, f.etag!, join(staging, f.file));
    await hf.writeRef(o.revision, commit);
    await rm(staging, { recursive: true, force: true }).catch((err: unknown) => {
      throw ioError(err, staging);
    });
    return fromHfCache(hf, commit);
  } finally {
    await closeSession(session);
  }
}
