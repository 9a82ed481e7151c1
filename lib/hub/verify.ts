import { createHash, type Hash } from 'node:crypto';

/** ETag value without the weak prefix and quotes, as huggingface_hub normalizes it. */
export function normalizeEtag(raw: string | undefined): string | undefined {
  const value = raw?.trim().replace(/^W\//, '').replace(/"/g, '');
  return value || undefined;
}

/** The checksum the hub's ETag stands for, when it is one. */
export interface Checksum {
  algorithm: 'sha256' | 'git-sha1';
  expected: string;
}

/**
 * LFS files carry their sha256 (64 hex); small files in git carry the git blob id, sha1 over
 * "blob <size>\0" + content (40 hex). Anything else (a mirror's own ETag) is not checked.
 */
export function checksumFromEtag(etag: string | undefined, size: number | undefined): Checksum | undefined {
  if (etag && /^[0-9a-f]{64}$/i.test(etag)) return { algorithm: 'sha256', expected: etag.toLowerCase() };
  if (etag && size !== undefined && /^[0-9a-f]{40}$/i.test(etag)) {
    return { algorithm: 'git-sha1', expected: etag.toLowerCase() };
  }
  return undefined;
}

export function createChecksumHash(checksum: Checksum, size: number | undefined): Hash {
  if (checksum.algorithm === 'sha256') return createHash('sha256');
  return createHash('sha1').update(`blob ${size ?? 0}\0`);
}
