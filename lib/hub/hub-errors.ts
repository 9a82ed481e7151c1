import { GitcapError } from '../../core/errors.js';
import { transient } from './retry.js';

/** What a failed request was about, for messages that say what to do. */
export interface RequestSubject {
  endpoint: string;
  repoId: string;
  revision: string;
  file: string;
  hasToken: boolean;
}

/** True for the hub's "this file does not exist" (mirrors answer a bare 404). */
export function isMissingEntry(status: number, errorCode: string | undefined): boolean {
  return status === 404 && (errorCode === 'EntryNotFound' || errorCode === undefined);
}

/**
 * Turns a failed hub response into a typed error. The hub answers 401 both for private repos
 * and for repos that do not exist when no token is sent, so 401 cannot tell them apart.
 */
export function hubHttpError(status: number, errorCode: string | undefined, url: string, s: RequestSubject): GitcapError {
  const { endpoint, repoId, revision, file, hasToken } = s;
  if (errorCode === 'GatedRepo') {
    return new GitcapError(
      'E_AUTH',
      hasToken
        ? `${repoId} is a gated repository and the token has no access to it: accept its conditions at ${endpoint}/${repoId} with the token's account`
        : `${repoId} is a gated repository: accept its conditions at ${endpoint}/${repoId}, then set HF_TOKEN or pass token`,
    );
  }
  if (status === 401) {
    return new GitcapError(
      'E_AUTH',
      hasToken
        ? `The hub refused the token for ${repoId} (HTTP 401): check the token in HF_TOKEN or the token option`
        : `${repoId} was not found or needs authentication (HTTP 401): check the name, or set HF_TOKEN or pass token for a private repository`,
    );
  }
  if (status === 403) {
    return new GitcapError(
      'E_AUTH',
      `Access to ${repoId} is forbidden (HTTP 403): set HF_TOKEN or pass token with read access to this repository`,
    );
  }
  if (status === 404 && errorCode === 'RevisionNotFound') {
    return new GitcapError('E_NOT_FOUND', `Revision "${revision}" does not exist in ${repoId}`);
  }
  if (status === 404 && errorCode === 'RepoNotFound') {
    return new GitcapError('E_NOT_FOUND', `Repository ${repoId} does not exist on ${endpoint}`);
  }
  if (isMissingEntry(status, errorCode)) {
    return new GitcapError('E_NOT_FOUND', `${repoId} has no file ${file} at revision ${revision}`);
  }
  const err = new GitcapError('E_NETWORK', `HTTP ${status} from ${url}`);
  return status === 429 || status >= 500 ? transient(err) : err;
}
