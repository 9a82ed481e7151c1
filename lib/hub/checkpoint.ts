import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GitcapError } from '../../core/errors.js';
import type { HubSession } from './http.js';
import { fetchFileMetadata, type FileMetadata } from './metadata.js';
import { downloadFile } from './download.js';
import { exists } from './cache.js';

const PREPROCESSOR = 'preprocessor_config.json';
/** Small files a GIT checkpoint may have next to its weights; the preprocessor's is required. */
const SUPPORT_FILES = [
  PREPROCESSOR,
  'tokenizer.json',
  'vocab.txt',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'generation_config.json',
];
const WEIGHT_FILES = [
  ['model.safetensors', 'model.safetensors.index.json'],
  ['pytorch_model.bin', 'pytorch_model.bin.index.json'],
] as const;

export function isCommitHash(revision: string): boolean {
  return /^[0-9a-f]{40}$/.test(revision);
}

/** Resolves the session's revision to a commit with a HEAD on config.json. */
export async function resolveCommit(session: HubSession): Promise<string> {
  const meta = await fetchFileMetadata(session, 'config.json', session.revision);
  if (!meta) throw missing(session, 'config.json', 'it is not a transformers checkpoint');
  const commit = meta.commit ?? (isCommitHash(session.revision) ? session.revision : undefined);
  if (!commit || !isCommitHash(commit)) {
    throw new GitcapError(
      'E_NETWORK',
      `${session.endpoint} did not say which commit ${session.revision} is (no X-Repo-Commit header): HF_ENDPOINT must point to a Hugging Face hub or a mirror of it`,
    );
  }
  return commit;
}

/**
 * Lists the files to download at `commit`. config.json is downloaded into `srcDir` first and
 * must say model_type "git", so a wrong model fails before any weights are fetched.
 */
export async function planCheckpoint(session: HubSession, commit: string, srcDir: string): Promise<FileMetadata[]> {
  const config = await required(session, commit, 'config.json');
  if (!(await exists(join(srcDir, config.file)))) await downloadFile(session, config, join(srcDir, config.file));
  await checkModelType(join(srcDir, config.file), session.repoId);

  const support = await Promise.all(SUPPORT_FILES.map((file) => fetchFileMetadata(session, file, commit)));
  const found = support.filter((m): m is FileMetadata => m !== null);
  if (!found.some((m) => m.file === PREPROCESSOR)) throw missing(session, PREPROCESSOR, 'the image preprocessing is unknown');
  if (!found.some((m) => m.file === 'tokenizer.json' || m.file === 'vocab.txt')) {
    throw new GitcapError('E_MODEL_FORMAT', `${session.repoId} has neither tokenizer.json nor vocab.txt at revision ${session.revision}`);
  }
  return [config, ...found, ...(await weightFiles(session, commit, srcDir))];
}

/**
 * model.safetensors, else its shards (model.safetensors.index.json), else the same for
 * pytorch_model.bin: safetensors first because it needs no unpickling.
 */
async function weightFiles(session: HubSession, commit: string, srcDir: string): Promise<FileMetadata[]> {
  for (const [single, index] of WEIGHT_FILES) {
    const whole = await fetchFileMetadata(session, single, commit);
    if (whole) return [whole];
    const indexMeta = await fetchFileMetadata(session, index, commit);
    if (!indexMeta) continue;
    await downloadFile(session, indexMeta, join(srcDir, index));
    const shards = await shardNames(join(srcDir, index), index, session.repoId);
    return [indexMeta, ...(await Promise.all(shards.map((file) => required(session, commit, file))))];
  }
  throw new GitcapError(
    'E_NOT_FOUND',
    `${session.repoId} has no weights at revision ${session.revision} (looked for ${WEIGHT_FILES.flat().join(', ')})`,
  );
}

/** The distinct files named by the index's weight_map, each a plain relative name. */
async function shardNames(indexPath: string, indexName: string, repoId: string): Promise<string[]> {
  let weightMap: unknown;
  try {
    weightMap = (JSON.parse(await readFile(indexPath, 'utf8')) as { weight_map?: unknown } | null)?.weight_map;
  } catch {
    weightMap = undefined;
  }
  const names = typeof weightMap === 'object' && weightMap !== null ? [...new Set(Object.values(weightMap))] : [];
  const valid = names.length > 0 && names.every((n) => typeof n === 'string' && /^[\w.-]+$/.test(n) && !n.startsWith('.'));
  if (!valid) {
    throw new GitcapError('E_MODEL_FORMAT', `${indexName} of ${repoId} has no valid weight_map`);
  }
  return names as string[];
}

async function required(session: HubSession, commit: string, file: string): Promise<FileMetadata> {
  const meta = await fetchFileMetadata(session, file, commit);
  if (!meta) throw missing(session, file, 'the checkpoint is incomplete');
  return meta;
}

function missing(session: HubSession, file: string, consequence: string): GitcapError {
  return new GitcapError('E_NOT_FOUND', `${session.repoId} has no ${file} at revision ${session.revision}: ${consequence}`);
}

async function checkModelType(configPath: string, repoId: string): Promise<void> {
  let config: unknown;
  try {
    config = JSON.parse(await readFile(configPath, 'utf8'));
  } catch {
    throw new GitcapError('E_MODEL_FORMAT', `config.json of ${repoId} is not valid JSON`);
  }
  const modelType = (config as { model_type?: unknown } | null)?.model_type;
  if (modelType !== 'git') {
    throw new GitcapError(
      'E_UNSUPPORTED',
      `${repoId} is a ${JSON.stringify(modelType ?? null)} model; gitcap runs GIT models (model_type "git") only`,
    );
  }
}
