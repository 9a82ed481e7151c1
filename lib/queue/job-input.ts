// The file a worker captions for a job: the shared path itself, or an http(s) URL (only from the
// hosts the worker allows) downloaded to a temporary file that is removed after the job.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GitcapError } from '../../core/errors.js';
import type { CaptionJobData } from './job-data.js';

export interface JobFile {
  path: string;
  /** Removes what was downloaded (nothing for a shared path). */
  release(): Promise<void>;
}

/** Largest download accepted for one job. */
const MAX_DOWNLOAD_BYTES = 8 * 1024 ** 3;

/** Checks the shape of data that came out of Redis (any client may have written it). */
export function checkJobData(data: unknown): CaptionJobData {
  const d = data as Partial<CaptionJobData> | null;
  const source = d?.source as Record<string, unknown> | undefined;
  const sourceOk = typeof source === 'object' && source !== null && (typeof source.path === 'string' || typeof source.url === 'string');
  if (!d || typeof d.file !== 'string' || !sourceOk || (d.kind !== 'video' && d.kind !== 'image') || typeof d.options !== 'object') {
    throw new GitcapError('E_INPUT', 'the job data is not a gitcap caption job ({ file, source, kind, options })');
  }
  return d as CaptionJobData;
}

export async function openJobFile(data: CaptionJobData, allowHosts: ReadonlySet<string>, signal: AbortSignal): Promise<JobFile> {
  if ('path' in data.source) return { path: data.source.path, release: async () => {} };
  const url = new URL(data.source.url);
  if (!allowHosts.has(url.host.toLowerCase()) && !allowHosts.has(url.hostname.toLowerCase())) {
    throw new GitcapError('E_UNSUPPORTED', `${url.host} is not a host this worker downloads from (see --allow-host)`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'gitcap-job-'));
  const path = join(dir, `input${extname(url.pathname).slice(0, 10)}`);
  try {
    await download(url, path, signal);
    return { path, release: () => rm(dir, { recursive: true, force: true }) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function download(url: URL, path: string, signal: AbortSignal): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: 'follow' });
  } catch (err) {
    throw new GitcapError('E_NETWORK', `${url.href}: ${(err as Error).message}`, { cause: err });
  }
  if (res.status === 404 || res.status === 410) throw new GitcapError('E_NOT_FOUND', `${url.href}: HTTP ${res.status}`);
  // Other 4xx will not change on a retry; 5xx and 429 may.
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
    throw new GitcapError('E_INPUT', `${url.href}: HTTP ${res.status}`);
  }
  if (!res.ok || !res.body) throw new GitcapError('E_NETWORK', `${url.href}: HTTP ${res.status}`);
  let bytes = 0;
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > MAX_DOWNLOAD_BYTES) body.destroy(new GitcapError('E_INPUT', `${url.href}: larger than ${MAX_DOWNLOAD_BYTES} bytes`));
  });
  try {
    await pipeline(body, createWriteStream(path), { signal });
  } catch (err) {
    if (err instanceof GitcapError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EACCES' || code === 'EROFS') throw new GitcapError('E_IO', `${path}: ${(err as Error).message}`, { cause: err });
    throw new GitcapError('E_NETWORK', `${url.href}: ${(err as Error).message}`, { cause: err });
  }
}

/** SHA-256 of a file, hex; E_NOT_FOUND / E_IO as the caption's own reading would say. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    await pipeline(createReadStream(path), hash);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new GitcapError('E_NOT_FOUND', `${path}: no such file`);
    throw new GitcapError('E_IO', `${path}: ${(err as Error).message}`, { cause: err });
  }
  return hash.digest('hex');
}
