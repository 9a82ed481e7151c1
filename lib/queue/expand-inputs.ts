// The inputs of `gitcap enqueue`: files as given, folders expanded to the videos and images in
// them (listMediaFiles: sorted, hidden entries skipped; subfolders with `recursive`), URLs as they are.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { GitcapError } from '../../core/errors.js';
import { isVideoFile } from '../inputs/media-files.js';
import { listMediaFiles } from '../inputs/walk-inputs.js';
import type { JobSource } from './job-data.js';

export interface ExpandedInput {
  /** As the user named it (a file inside a folder: the folder joined with its relative path). */
  file: string;
  source: JobSource;
  kind: 'video' | 'image';
}

export function isUrl(input: string): boolean {
  return /^https?:\/\//i.test(input);
}

function kindOf(name: string): 'video' | 'image' {
  return isVideoFile(name) ? 'video' : 'image';
}

async function statOrThrow(path: string) {
  return stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw new GitcapError('E_NOT_FOUND', `${path}: no such file or folder`);
    throw new GitcapError('E_IO', `${path}: ${err.message}`, { cause: err });
  });
}

/**
 * Every input as a job source. A file named explicitly is taken whatever its extension (the
 * worker says E_INPUT if it cannot read it); in folders only known video and image extensions.
 */
export async function expandInputs(inputs: string[], recursive: boolean): Promise<ExpandedInput[]> {
  const out: ExpandedInput[] = [];
  const add = async (file: string, named: boolean) => {
    const st = await statOrThrow(file);
    if (!st.isFile()) {
      if (named) throw new GitcapError('E_INPUT', `${file}: not a regular file`);
      return; // a link to a folder, a socket, ...
    }
    out.push({ file, source: { path: resolve(file), size: st.size, mtimeMs: st.mtimeMs }, kind: kindOf(file) });
  };
  for (const input of inputs) {
    if (isUrl(input)) {
      let url: URL;
      try {
        url = new URL(input);
      } catch {
        throw new GitcapError('E_INVALID_ARG', `${input}: not a valid URL`);
      }
      out.push({ file: input, source: { url: url.href }, kind: kindOf(url.pathname) });
      continue;
    }
    const st = await statOrThrow(input);
    if (st.isDirectory()) {
      for (const file of await listMediaFiles(input, { recursive })) await add(file, false);
    } else await add(input, true);
  }
  return out;
}
