import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exists } from './cache.js';
import { downloadFile } from './download.js';
import { writeFileAtomic } from './fs-util.js';
import type { HubSession } from './http.js';
import type { FileMetadata } from './metadata.js';

/** Progress of the download phase; sizes are undefined when the hub did not send them. */
export interface DownloadProgress {
  phase: 'download';
  file: string;
  bytesDone: number;
  bytesTotal: number | undefined;
  /** Files finished before this one, and how many there are. */
  filesDone: number;
  filesTotal: number;
  /** All files together. */
  totalBytesDone: number;
  totalBytesTotal: number | undefined;
}

// Written last: a source folder without it may hold only part of the checkpoint.
const MANIFEST = '.complete.json';

/** True when every file the manifest lists is still there. */
export async function isSourceComplete(sourceDir: string): Promise<boolean> {
  let files: unknown;
  try {
    files = (JSON.parse(await readFile(join(sourceDir, MANIFEST), 'utf8')) as { files?: unknown }).files;
  } catch {
    return false;
  }
  if (!Array.isArray(files) || files.length === 0) return false;
  for (const entry of files as { file?: unknown }[]) {
    if (typeof entry?.file !== 'string' || !(await exists(join(sourceDir, entry.file)))) return false;
  }
  return true;
}

/** Downloads `files` into `sourceDir`; files already there (complete, verified) are skipped. */
export async function downloadSource(
  session: HubSession,
  commit: string,
  files: FileMetadata[],
  sourceDir: string,
  onProgress?: (p: DownloadProgress) => void,
): Promise<void> {
  const sizes = files.map((f) => f.size);
  const totalBytesTotal = sizes.every((s) => s !== undefined) ? sizes.reduce((a, s) => a + (s ?? 0), 0) : undefined;
  let finishedBytes = 0;
  for (const [filesDone, meta] of files.entries()) {
    const report = (bytesDone: number, bytesTotal: number | undefined) =>
      onProgress?.({
        phase: 'download',
        file: meta.file,
        bytesDone,
        bytesTotal,
        filesDone,
        filesTotal: files.length,
        totalBytesDone: finishedBytes + bytesDone,
        totalBytesTotal,
      });
    const dest = join(sourceDir, meta.file);
    if (await exists(dest)) report(meta.size ?? 0, meta.size);
    else await downloadFile(session, meta, dest, report);
    finishedBytes += meta.size ?? 0;
  }
  const manifest = { repoId: session.repoId, commit, files: files.map((f) => ({ file: f.file, size: f.size, etag: f.etag })) };
  await writeFileAtomic(join(sourceDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}
