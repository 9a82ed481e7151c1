import { resolveCacheDir } from '../../hub/cache.js';
import { listCache, type CacheEntry } from '../../hub/cache-entries.js';
import { formatBytes } from '../../terminal/progress-bar.js';
import { parseCommandArgs } from '../parse-command-args.js';

export const summary = 'List the models in the cache';

export const usage = `gitcap ls [--json]

Lists the cached models: repository, revision and commit, quantization, size, where it came
from and path ("source" rows are checkpoints kept with pull --keep-source). FROM is "hub" (downloaded
by gitcap), "hf-cache" (converted from the Hugging Face cache, read in place) or "folder"
(converted from a checkpoint folder, named in REPO). The cache is GITCAP_CACHE or the platform's
cache folder (see README, "Model cache").

Options:
  --json   one JSON array of { repoId, commit, revisions, kind, quantization, bytes, path, origin }`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, usage, 0);
  if (values.help) {
    process.stdout.write(`Usage: ${usage}\n`);
    return 0;
  }
  const root = resolveCacheDir();
  const entries = await listCache(root);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
  } else if (entries.length === 0) {
    process.stderr.write(`No models in ${root}\n`);
  } else {
    process.stdout.write(formatTable(entries));
  }
  return 0;
}

export function formatTable(entries: CacheEntry[]): string {
  const rows = [
    ['REPO', 'REVISION', 'COMMIT', 'QUANT', 'SIZE', 'FROM', 'PATH'],
    ...entries.map((e) => [
      e.repoId,
      e.revisions.join(',') || '-',
      e.commit.slice(0, 12),
      e.quantization ?? e.kind,
      formatBytes(e.bytes),
      e.origin === 'local' ? 'folder' : e.origin,
      e.path,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}
