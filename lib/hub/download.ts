import { createReadStream } from 'node:fs';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Hash } from 'node:crypto';
import { GitcapError, throwIfAborted } from '../../core/errors.js';
import { syncDirectory } from '../../core/sync-directory.js';
import { ioError } from './fs-util.js';
import { hubHttpError } from './hub-errors.js';
import { networkError, send, type HubResponse, type HubSession } from './http.js';
import type { FileMetadata } from './metadata.js';
import { transient, withRetry } from './retry.js';
import { checksumFromEtag, createChecksumHash, type Checksum } from './verify.js';

const MAX_REDIRECTS = 5;

/**
 * Downloads one file to `destPath`: bytes go to `<destPath>.incomplete`, which a later call
 * resumes with an HTTP Range request; size and checksum are verified, then the file is synced
 * and renamed into place, so `destPath` exists only when complete.
 */
export async function downloadFile(
  session: HubSession,
  meta: FileMetadata,
  destPath: string,
  onBytes?: (bytesDone: number, bytesTotal: number | undefined) => void,
): Promise<void> {
  const partPath = `${destPath}.incomplete`;
  const checksum = checksumFromEtag(meta.etag, meta.size);
  let handle: FileHandle;
  try {
    await mkdir(dirname(destPath), { recursive: true });
    handle = await open(partPath, 'a');
  } catch (err) {
    throw ioError(err, partPath);
  }
  const part = new PartFile(handle, partPath, checksum, meta.size);
  try {
    await part.prepare();
    onBytes?.(part.bytes, meta.size);
    await withRetry(`Downloading ${meta.file} of ${session.repoId}`, session.retry, session.signal, async () => {
      if (part.bytes === meta.size) return;
      const res = await getFollowingRedirects(session, meta, part.bytes > 0 ? { range: `bytes=${part.bytes}-` } : {});
      await part.acceptResponse(res);
      try {
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          await part.append(chunk);
          onBytes?.(part.bytes, meta.size);
        }
      } catch (err) {
        if (err instanceof GitcapError) throw err;
        throwIfAborted(session.signal);
        throw networkError(err, res.url);
      }
      if (meta.size !== undefined && part.bytes < meta.size) {
        throw transient(
          new GitcapError('E_NETWORK', `connection closed after ${part.bytes} of ${meta.size} bytes from ${res.url}`),
        );
      }
    });
    await part.sync();
  } finally {
    await handle.close();
  }
  await verify(part, meta, session.repoId);
  try {
    await rename(partPath, destPath);
  } catch (err) {
    throw ioError(err, destPath);
  }
  await syncDirectory(dirname(destPath));
}

async function verify(part: PartFile, meta: FileMetadata, repoId: string): Promise<void> {
  let problem: string | undefined;
  if (meta.size !== undefined && part.bytes !== meta.size) {
    problem = `has ${part.bytes} bytes but the hub announced ${meta.size}`;
  } else if (part.checksum && part.hash) {
    const actual = part.hash.digest('hex');
    if (actual !== part.checksum.expected) {
      problem = `does not match its ${part.checksum.algorithm} checksum (expected ${part.checksum.expected}, received ${actual})`;
    }
  }
  if (problem === undefined) return;
  await unlink(part.path).catch(() => {});
  throw new GitcapError(
    'E_MODEL_FORMAT',
    `Downloaded ${meta.file} of ${repoId} ${problem}: the damaged download was removed, run again`,
  );
}

async function getFollowingRedirects(
  session: HubSession,
  meta: FileMetadata,
  headers: Record<string, string>,
): Promise<HubResponse> {
  let url = meta.downloadUrl;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const res = await send(session, 'GET', url, headers);
    const location = res.headers.location;
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body.dump();
      url = new URL(location, url).href;
      continue;
    }
    if (res.status >= 400 && res.status !== 416) {
      await res.body.dump();
      throw hubHttpError(res.status, res.headers['x-error-code'], url, {
        endpoint: session.endpoint,
        repoId: session.repoId,
        revision: session.revision,
        file: meta.file,
        hasToken: session.token !== undefined,
      });
    }
    return res;
  }
  throw new GitcapError('E_NETWORK', `More than ${MAX_REDIRECTS} redirects from ${meta.downloadUrl}`);
}

/** The `.incomplete` file: its length, and the running checksum of what it holds. */
class PartFile {
  bytes = 0;
  hash: Hash | undefined;

  constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    readonly checksum: Checksum | undefined,
    private readonly size: number | undefined,
  ) {}

  /** Keeps what an earlier run left when it can be resumed; the checksum covers it too. */
  async prepare(): Promise<void> {
    const existing = (await this.handle.stat()).size;
    if (this.size === undefined || existing > this.size) return this.restart();
    this.hash = this.checksum && createChecksumHash(this.checksum, this.size);
    this.bytes = existing;
    if (existing > 0 && this.hash) {
      for await (const chunk of createReadStream(this.path, { end: existing - 1 })) this.hash.update(chunk as Buffer);
    }
  }

  /** A 200 to a Range request restarts the file; a 206 must start exactly where the file ends. */
  async acceptResponse(res: HubResponse): Promise<void> {
    if (res.status === 206 && contentRangeStart(res.headers['content-range']) === this.bytes) return;
    if (res.status === 200) {
      if (this.bytes > 0) await this.restart();
      return;
    }
    await res.body.dump();
    await this.restart();
    throw transient(new GitcapError('E_NETWORK', `HTTP ${res.status} to a range request from ${res.url}`));
  }

  async append(chunk: Buffer): Promise<void> {
    try {
      await this.handle.write(chunk);
    } catch (err) {
      throw ioError(err, this.path);
    }
    this.hash?.update(chunk);
    this.bytes += chunk.length;
  }

  async sync(): Promise<void> {
    try {
      await this.handle.sync();
    } catch (err) {
      throw ioError(err, this.path);
    }
  }

  private async restart(): Promise<void> {
    try {
      await this.handle.truncate(0);
    } catch (err) {
      throw ioError(err, this.path);
    }
    this.bytes = 0;
    this.hash = this.checksum && createChecksumHash(this.checksum, this.size);
  }
}

function contentRangeStart(header: string | undefined): number | undefined {
  const match = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(header?.trim() ?? '');
  return match ? Number(match[1]) : undefined;
}
