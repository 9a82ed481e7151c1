import { GitcapError } from '../../core/errors.js';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

// The hub's own rule for repository names: letters, digits, "-", "_", "." ; no "--" or "..".
const REPO_PART = /^[A-Za-z0-9_.-]{1,96}$/;

/** Throws unless `repoId` is "owner/name" (or a legacy "name") as the hub accepts it. */
export function validateRepoId(repoId: unknown): asserts repoId is string {
  const parts = typeof repoId === 'string' ? repoId.split('/') : [];
  const valid =
    parts.length >= 1 &&
    parts.length <= 2 &&
    parts.every((p) => REPO_PART.test(p) && !p.includes('--') && !p.includes('..') && !/^[-.]|[-.]$/.test(p));
  if (!valid) {
    throw new GitcapError(
      'E_INVALID_ARG',
      `Expected a Hugging Face repository id like "microsoft/git-base-vatex" but received ${JSON.stringify(repoId)}`,
    );
  }
}

export function validateRevision(revision: unknown): asserts revision is string {
  if (typeof revision !== 'string' || revision.length === 0 || revision.length > 256 || /[\s\\]|\.\./.test(revision)) {
    throw new GitcapError(
      'E_INVALID_ARG',
      `Expected a branch, tag or commit for revision but received ${JSON.stringify(revision)}`,
    );
  }
}

/** The hub to talk to: the `endpoint` option, else HF_ENDPOINT (mirrors), else huggingface.co. */
export function resolveEndpoint(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const raw = explicit ?? (env.HF_ENDPOINT || DEFAULT_ENDPOINT);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    url = new URL('invalid:');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) {
    const source = explicit === undefined ? 'HF_ENDPOINT' : 'endpoint';
    throw new GitcapError('E_INVALID_ARG', `Expected an http(s) URL for ${source} but received ${JSON.stringify(raw)}`);
  }
  return url.href.replace(/\/+$/, '');
}

/** The token option, else HF_TOKEN; an empty string counts as none. */
export function resolveToken(explicit?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (explicit !== undefined && typeof explicit !== 'string') {
    throw new GitcapError('E_INVALID_ARG', `Expected a string for token but received ${typeof explicit}`);
  }
  return explicit || env.HF_TOKEN || undefined;
}

/** HF_HUB_OFFLINE as huggingface_hub reads it: 1/ON/YES/TRUE in any case. */
export function isOfflineMode(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['1', 'ON', 'YES', 'TRUE'].includes((env.HF_HUB_OFFLINE ?? '').trim().toUpperCase());
}

/** `{endpoint}/{repo}/resolve/{revision}/{file}`; the revision is one path segment ("refs/pr/1" → "refs%2Fpr%2F1"). */
export function resolveUrl(endpoint: string, repoId: string, revision: string, file: string): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${endpoint}/${repoId}/resolve/${encodeURIComponent(revision)}/${path}`;
}
