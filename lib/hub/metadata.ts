import { GitcapError } from '../../core/errors.js';
import { resolveUrl } from './endpoint.js';
import { hubHttpError, isMissingEntry } from './hub-errors.js';
import { send, type HubResponse, type HubSession } from './http.js';
import { transient, withRetry } from './retry.js';
import { normalizeEtag } from './verify.js';

/** What the hub says about one file before it is downloaded. */
export interface FileMetadata {
  file: string;
  /** X-Repo-Commit: the commit the revision resolved to. */
  commit: string | undefined;
  /** sha256 for LFS files (X-Linked-Etag), git blob sha1 for small ones (ETag); unquoted. */
  etag: string | undefined;
  /** X-Linked-Size for LFS files, else Content-Length. */
  size: number | undefined;
  /** Where the bytes are: the CDN for LFS files, the resolve URL otherwise. */
  downloadUrl: string;
}

const MAX_REDIRECTS = 5;

/**
 * HEAD on the resolve URL, following only relative redirects (a renamed repo answers 307 to its
 * new path) and stopping at the absolute one that points an LFS file to the CDN, because the
 * hub's headers on that answer carry the commit, sha256 and size. Null when the file does not exist.
 */
export async function fetchFileMetadata(session: HubSession, file: string, revision: string): Promise<FileMetadata | null> {
  const start = resolveUrl(session.endpoint, session.repoId, revision, file);
  return withRetry(`Reading ${file} of ${session.repoId}`, session.retry, session.signal, async () => {
    let url = start;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const res = await send(session, 'HEAD', url);
      await res.body.dump();
      const errorCode = res.headers['x-error-code'];
      if (res.status >= 300 && res.status < 400) {
        const location = res.headers.location;
        if (!location) throw transient(new GitcapError('E_NETWORK', `HTTP ${res.status} without Location from ${url}`));
        if (isRelativeLocation(location)) {
          url = new URL(location, url).href;
          continue;
        }
        return toMetadata(file, res, location);
      }
      if (res.status >= 400) {
        if (isMissingEntry(res.status, errorCode)) return null;
        throw hubHttpError(res.status, errorCode, url, {
          endpoint: session.endpoint,
          repoId: session.repoId,
          revision: session.revision,
          file,
          hasToken: session.token !== undefined,
        });
      }
      return toMetadata(file, res, url);
    }
    throw new GitcapError('E_NETWORK', `More than ${MAX_REDIRECTS} redirects from ${start}`);
  });
}

function isRelativeLocation(location: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(location) && !location.startsWith('//');
}

function toMetadata(file: string, res: HubResponse, downloadUrl: string): FileMetadata {
  const h = res.headers;
  const size = Number.parseInt(h['x-linked-size'] ?? h['content-length'] ?? '', 10);
  return {
    file,
    commit: h['x-repo-commit'] || undefined,
    etag: normalizeEtag(h['x-linked-etag'] ?? h.etag),
    size: Number.isSafeInteger(size) && size >= 0 ? size : undefined,
    downloadUrl,
  };
}
