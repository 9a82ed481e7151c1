import { rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GitcapError } from '../../core/errors.js';
import { syncDirectory } from '../../core/sync-directory.js';

/** A failed disk operation as E_IO, telling the user what to do about it. */
export function ioError(err: unknown, path: string): GitcapError {
  if (err instanceof GitcapError) return err;
  const code = (err as { code?: unknown })?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new GitcapError(
      'E_IO',
      `No space left on device while writing ${path}: free some space or set GITCAP_CACHE to a larger disk, then run again`,
      { cause: err },
    );
  }
  const reason = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
  return new GitcapError(
    'E_IO',
    `Cannot write ${path} (${reason}): check the permissions of the cache directory or set GITCAP_CACHE`,
    { cause: err },
  );
}

/** Writes a small file so that readers see either the old or the new content, never half. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temp, content, { flush: true });
    await rename(temp, path);
  } catch (err) {
    throw ioError(err, path);
  }
  await syncDirectory(dirname(path));
}
