// A Hugging Face cache written the way huggingface_hub writes it: blobs named by sha256 (LFS
// files) or git blob sha1 (the others), snapshots/<commit>/<file> as relative links into blobs/,
// refs/<revision> holding the bare commit, .no_exist/<commit>/<file> for files the repo lacks.
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

export interface HfCacheRepo {
  root: string;
  repoId: string;
  commit: string;
  /** Folder whose files are cached. */
  dir: string;
  files: string[];
  /** Refs to write (default ["main"]). */
  refs?: string[];
  /** Files the repository has but this cache lacks (the snapshot was downloaded in part). */
  omit?: string[];
  /** Files recorded in .no_exist/. */
  noExist?: string[];
}

export const repoFolder = (root: string, repoId: string) => join(root, `models--${repoId.replace('/', '--')}`);

export function blobName(file: string, content: Buffer): string {
  if (/\.(safetensors|bin)$/.test(file)) return createHash('sha256').update(content).digest('hex');
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

export async function writeHfCache(spec: HfCacheRepo): Promise<string> {
  const repo = repoFolder(spec.root, spec.repoId);
  const snapshot = join(repo, 'snapshots', spec.commit);
  await mkdir(join(repo, 'blobs'), { recursive: true });
  await mkdir(snapshot, { recursive: true });
  for (const file of spec.files.filter((f) => !spec.omit?.includes(f))) {
    const content = await readFile(join(spec.dir, file));
    const blob = join(repo, 'blobs', blobName(file, content));
    await writeFile(blob, content);
    await symlink(relative(snapshot, blob), join(snapshot, file));
  }
  for (const ref of spec.refs ?? ['main']) {
    await mkdir(join(repo, 'refs'), { recursive: true });
    await writeFile(join(repo, 'refs', ref), spec.commit);
  }
  for (const file of spec.noExist ?? []) {
    await mkdir(join(repo, '.no_exist', spec.commit), { recursive: true });
    await writeFile(join(repo, '.no_exist', spec.commit, file), '');
  }
  return snapshot;
}

/** Every entry under `dir` with its type, size, mtime, link target and content hash: to prove nothing changed. */
export async function treeState(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(dir, { recursive: true })).sort()) {
    const path = join(dir, name);
    const st = await lstat(path);
    if (st.isSymbolicLink()) out.push(`${name} -> ${await readlink(path)}`);
    else if (st.isFile()) out.push(`${name} ${st.size} ${st.mtimeMs} ${createHash('sha256').update(await readFile(path)).digest('hex')}`);
    else out.push(`${name}/ ${st.mtimeMs}`);
  }
  return out;
}
