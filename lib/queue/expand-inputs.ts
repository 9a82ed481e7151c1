// The inputs of `gitcap enqueue`: files as given, folders expanded to the videos and images in
// them (sorted, hidden entries skipped; subfolders with `recursive`), URLs as they are.
import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { GitcapError } from '../errors.js';
import { isVideoFile } from '../cli/caption-inputs.js';
import type { JobSource } from './job-data.js';

/** The image files gitcap decodes (PNG, JPEG, GIF). */
const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.jpe', '.jfif', '.gif']);

export interface ExpandedInput {
  /** As the user named it (a file inside a folder: the folder joined with its relative path). */
  file: string;
  source: JobSource;
  kind: 'video' | 'image';
}

export function isUrl(input: string): boolean {
  return /^https?:\/\//i.test(input);
}

function isCaptionable(name: string): boolean {
  return isVideoFile(name) || IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
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

async function* walk(folder: string, recursive: boolean): AsyncGenerator<string> {
  const entries = await readdir(folder, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    throw new GitcapError('E_IO', `${folder}: ${err.message}`, { cause: err });
  });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (recursive) yield* walk(path, true);
    } else if ((entry.isFile() || entry.isSymbolicLink()) && isCaptionable(entry.name)) yield path;
  }
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
      for await (const file of walk(input, recursive)) await add(file, false);
    } else await add(input, true);
  }
  return out;
}
