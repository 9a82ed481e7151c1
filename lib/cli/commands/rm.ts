import { resolveCacheDir } from '../../hub/cache.js';
import { removeCached } from '../../hub/cache-entries.js';
import { validateRepoId } from '../../hub/endpoint.js';
import { validateQuantization } from '../../hub/quantization.js';
import { formatBytes } from '../progress.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { GitcapError } from '../../errors.js';

export const summary = 'Remove a model from the cache';

export const usage = `gitcap rm <repo> [--quant <type>]

Removes the cached GGUFs of <repo>: all of them, with any kept checkpoint, or only those of
weight type <type>. Waits while another gitcap process is pulling the same repository.`;

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
  if (repoId === undefined) throw new GitcapError('E_INVALID_ARG', `Missing <repo>\nUsage: ${usage.split('\n')[0]}`);
  validateRepoId(repoId);
  const quantization = values.quant as string | undefined;
  if (quantization !== undefined) validateQuantization(quantization);
  const removed = await removeCached(resolveCacheDir(), repoId, quantization, {
    onWait: () => process.stderr.write(`Waiting for another gitcap process pulling ${repoId}\n`),
  });
  for (const entry of removed) process.stdout.write(`Removed ${entry.path}\n`);
  const bytes = removed.reduce((sum, e) => sum + e.bytes, 0);
  process.stderr.write(`Freed ${formatBytes(bytes)}\n`);
  return 0;
}
