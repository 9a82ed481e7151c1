// File access with gitcap's typed errors: a missing file is E_NOT_FOUND, any other failure E_IO.

import { open, readFile, type FileHandle } from 'node:fs/promises';
import { GitcapError } from '../core/errors.js';

function ioError(file: string, err: unknown): GitcapError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new GitcapError('E_NOT_FOUND', `${file}: file not found`, { cause: err });
  if (code === 'EISDIR') return new GitcapError('E_IO', `${file}: is a directory, expected a file`, { cause: err });
  return new GitcapError('E_IO', `${file}: ${(err as Error).message}`, { cause: err });
}

export async function openForReading(file: string): Promise<{ fh: FileHandle; size: number }> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    throw ioError(file, err);
  }
  try {
    const stat = await fh.stat();
    if (!stat.isFile()) throw new GitcapError('E_IO', `${file}: is not a regular file`);
    return { fh, size: stat.size };
  } catch (err) {
    await fh.close();
    throw err instanceof GitcapError ? err : ioError(file, err);
  }
}

export async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw ioError(file, err);
  }
}

/** A JSON object from `file`; `undefined` when the file does not exist and `optional` is set. */
export async function readJsonObject(file: string, optional: true): Promise<Record<string, unknown> | undefined>;
export async function readJsonObject(file: string, optional?: false): Promise<Record<string, unknown>>;
export async function readJsonObject(file: string, optional = false): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readText(file);
  } catch (err) {
    if (optional && err instanceof GitcapError && err.code === 'E_NOT_FOUND') return undefined;
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new GitcapError('E_MODEL_FORMAT', `${file}: not valid JSON`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GitcapError('E_MODEL_FORMAT', `${file}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}
