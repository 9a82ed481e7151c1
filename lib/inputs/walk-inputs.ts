// The videos and pictures below a folder, for runs over whole folders.
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { GitcapError } from '../../core/errors.js';
import { isMediaFile } from './media-files.js';

export interface WalkOptions {
  /** Also the files in subfolders (default false: the folder's own files). */
  recursive?: boolean;
}

/**
 * The image and video files gitcap reads (by extension, see media-files.ts) in `folder`, as
 * paths joined to `folder`, sorted by code point. Hidden entries (names starting with ".") are
 * skipped. A symbolic link is followed only when its target lies inside the folder, and a folder
 * reached twice through links is read once.
 */
export async function listMediaFiles(folder: string, options: WalkOptions = {}): Promise<string[]> {
  const root = await realpath(folder).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw new GitcapError('E_NOT_FOUND', `${folder}: no such folder`);
    throw new GitcapError('E_IO', `${folder}: ${err.message}`, { cause: err });
  });
  if (!(await stat(root)).isDirectory()) throw new GitcapError('E_INPUT', `${folder}: not a folder`);
  const found: string[] = [];
  const visited = new Set<string>([root]);
  const inside = (target: string) => target === root || target.startsWith(root + path.sep);

  async function walk(dir: string, shown: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw new GitcapError('E_IO', `${shown}: cannot list the folder (${(err as Error).message})`, { cause: err });
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const shownPath = path.join(shown, entry.name);
      let isDirectory = entry.isDirectory();
      let realDir = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        const target = await realpath(realDir).catch(() => undefined); // a dangling link is no file
        if (target === undefined || !inside(target)) continue;
        const st = await stat(target);
        if (!st.isDirectory() && !st.isFile()) continue;
        isDirectory = st.isDirectory();
        realDir = target;
      } else if (!isDirectory && !entry.isFile()) {
        continue;
      }
      if (isDirectory) {
        if (!options.recursive || visited.has(realDir)) continue;
        visited.add(realDir);
        await walk(realDir, shownPath);
      } else if (isMediaFile(entry.name)) {
        found.push(shownPath);
      }
    }
  }

  await walk(root, folder);
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
