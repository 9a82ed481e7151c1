// Job ids: a hash of the input's identity and the caption options, so that the same work
// enqueued twice is one job (BullMQ ignores an add whose id exists).
import { createHash } from 'node:crypto';
import type { JobCaptionOptions, JobSource } from './job-data.js';

/** JSON with object keys sorted: the same options give the same text in any key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * 40 hex digits of SHA-256 over (path, size, mtime) or the URL, and the options. A file that is
 * replaced or touched is new work; the same file under another path is too (no hashing of
 * content at enqueue time, which would read every byte of millions of videos).
 */
export function captionJobId(source: JobSource, options: JobCaptionOptions): string {
  const identity = 'url' in source ? { url: source.url } : { path: source.path, size: source.size, mtimeMs: source.mtimeMs };
  return createHash('sha256').update(canonicalJson({ v: 1, input: identity, options })).digest('hex').slice(0, 40);
}
