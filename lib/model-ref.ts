// What a model reference names: a GGUF file, a checkpoint folder, or (where hub ids are taken:
// the CLI and the server) a Hugging Face repository. One stat tells which; GitModel.load and
// the CLI's --model both ask here.
import { stat } from 'node:fs/promises';
import { GitcapError } from '../core/errors.js';

export type ModelRef = { kind: 'gguf'; path: string } | { kind: 'checkpoint'; path: string } | { kind: 'hub'; repoId: string };

/** A reference to something on this machine. */
export type LocalModelRef = Exclude<ModelRef, { kind: 'hub' }>;

export interface ResolveModelOptions {
  /** Take `owner/name` that is no local path as a hub repository. */
  hubIds?: boolean;
  /** Said after "<ref>: no such file or folder". */
  notFoundHint?: string;
}

/** `owner/name` that is not a local path: a hub repository. */
function looksLikeRepoId(ref: string): boolean {
  return /^[^./\\][^/\\]*\/[^/\\]+$/.test(ref) && !ref.toLowerCase().endsWith('.gguf');
}

export async function resolveModelRef(ref: string, o: ResolveModelOptions & { hubIds: true }): Promise<ModelRef>;
export async function resolveModelRef(ref: string, o?: ResolveModelOptions): Promise<LocalModelRef>;
export async function resolveModelRef(ref: string, o: ResolveModelOptions = {}): Promise<ModelRef> {
  const st = await stat(ref).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
    throw new GitcapError('E_IO', `${ref}: ${err.message}`, { cause: err });
  });
  if (st === undefined) {
    if (o.hubIds && looksLikeRepoId(ref)) return { kind: 'hub', repoId: ref };
    throw new GitcapError('E_NOT_FOUND', `${ref}: no such file or folder${o.notFoundHint ?? ''}`);
  }
  return st.isDirectory() ? { kind: 'checkpoint', path: ref } : { kind: 'gguf', path: ref };
}
