import { resolveCacheDir } from '../../hub/cache.js';
import { removeCached } from '../../hub/cache-entries.js';
import { removeLocal } from '../../hub/local-entries.js';
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { validateRepoId } from '../../hub/endpoint.js';
import { validateQuantization } from '../../hub/quantization.js';
import { formatBytes } from '../../terminal/progress-bar.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { GitcapError } from '../../../core/errors.js';

export const summary = 'Remove a model from the cache';

export const usage = `gitcap rm <repo|folder> [--quant <type>]

Removes the cached GGUFs of hub repository <repo>: all of them, with any kept checkpoint, or only
those of weight type <type>. Waits while another gitcap process is pulling the same repository.
Given a checkpoint folder (a path: ./git-base-vatex, /models/git), removes the GGUFs converted
from it. Nothing in the Hugging Face cache is removed.`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    { quant: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    usage,
    1,
  );
  if (values.help) {
    process.stdout.write(`Usage: ${usage}\n`);
    return 0;
  }
  const repoId = positionals[0];
  if (repoId === undefined) throw new GitcapError('E_INVALID_ARG', `Missing <repo> or <folder>\nUsage: ${usage.split('\n')[0]}`);
  const quantization = values.quant as string | undefined;
  if (quantization !== undefined) validateQuantization(quantization);
  const folder = isFolderArgument(repoId);
  if (!folder) validateRepoId(repoId);
  const removed = folder
    ? await removeLocal(resolveCacheDir(), repoId, quantization)
    : await removeCached(resolveCacheDir(), repoId, quantization, {
        onWait: () => process.stderr.write(`Waiting for another gitcap process pulling ${repoId}\n`),
      });
  for (const entry of removed) process.stdout.write(`Removed ${entry.path}\n`);
  const bytes = removed.reduce((sum, e) => sum + e.bytes, 0);
  process.stderr.write(`Freed ${formatBytes(bytes)}\n`);
  return 0;
}

/** A path (./x, ../x, an absolute path, or an existing folder), not a hub repository owner/name. */
function isFolderArgument(arg: string): boolean {
  return isAbsolute(arg) || /^\.{1,2}([/\\]|$)/.test(arg) || existsSync(arg);
}
