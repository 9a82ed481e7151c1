// GGUFs converted from checkpoint folders: keyed by content (a copy of the folder finds the same
// GGUF), listed by gitcap ls with the folders they came from, removed by gitcap rm <folder>.
import assert from 'node:assert/strict';
import { cp, readdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listCache } from '../../lib/hub/cache-entries.js';
import { convertLocalCheckpoint } from '../../lib/hub/cache-convert.js';
import * as lsCommand from '../../lib/cli/commands/ls.js';
import * as rmCommand from '../../lib/cli/commands/rm.js';
import { VATEX_DIR, tempDir } from './helpers.js';

let work: Awaited<ReturnType<typeof tempDir>>;
const savedCache = process.env.GITCAP_CACHE;

/** Runs a command with stdout and stderr captured. */
async function capture(run: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  const original = { stdout: process.stdout.write, stderr: process.stderr.write };
  let stdout = '';
  let stderr = '';
  process.stdout.write = ((s: string) => ((stdout += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((stderr += s), true)) as typeof process.stderr.write;
  try {
    return { code: await run(), stdout, stderr };
  } finally {
    process.stdout.write = original.stdout;
    process.stderr.write = original.stderr;
  }
}

before(async () => {
  work = await tempDir();
  process.env.GITCAP_CACHE = join(work.path, 'cache');
});
after(async () => {
  if (savedCache === undefined) delete process.env.GITCAP_CACHE;
  else process.env.GITCAP_CACHE = savedCache;
  await work.remove();
});

describe('checkpoint folders in the cache', () => {
  const cache = () => join(work.path, 'cache');
  const first = () => join(work.path, 'first');
  const copy = () => join(work.path, 'copy');

  it('a copy of a folder (new mtimes) finds the GGUF of the first', async () => {
    await cp(VATEX_DIR, first(), { recursive: true });
    const a = await convertLocalCheckpoint(first(), { quantization: 'f16', cacheDir: cache() });
    await cp(first(), copy(), { recursive: true });
    const later = new Date(Date.now() + 60_000);
    for (const f of await readdir(copy())) await utimes(join(copy(), f), later, later);
    const b = await convertLocalCheckpoint(copy(), { quantization: 'f16', cacheDir: cache() });
    assert.equal(b, a);
    assert.deepEqual((await readdir(join(cache(), 'local'))).filter((f) => f.endsWith('.gguf')).length, 1);
  });

  it('gitcap ls lists it with the folders it came from', async () => {
    const [entry, ...more] = await listCache(cache());
    assert.deepEqual(more, []);
    assert.equal(entry!.origin, 'local');
    assert.equal(entry!.quantization, 'f16');
    assert.deepEqual(entry!.sources, [first(), copy()]);
    assert.equal(entry!.repoId, copy());
    const listed = await capture(() => lsCommand.run([]));
    assert.match(listed.stdout.split('\n')[1]!, new RegExp(`^${copy()} +- +[0-9a-f]{12} +f16 +[0-9.]+ [kM]B +folder +${entry!.path}$`));
  });

  it('a changed file is another checkpoint', async () => {
    await cp(join(VATEX_DIR, 'model-f16.safetensors'), join(copy(), 'model.safetensors'));
    const c = await convertLocalCheckpoint(copy(), { quantization: 'f16', cacheDir: cache() });
    assert.equal((await listCache(cache())).length, 2);
    assert.ok(c.endsWith('-f16.gguf'));
  });

  it('gitcap rm <folder> removes what was converted from it', async () => {
    const [original] = (await listCache(cache())).filter((e) => e.sources?.includes(first()));
    const removed = await capture(() => rmCommand.run([first()]));
    assert.equal(removed.code, 0, removed.stderr);
    assert.ok(removed.stdout.includes(`Removed ${original!.path}\n`));
    const left = await listCache(cache());
    assert.equal(left.length, 1);
    assert.deepEqual(left[0]!.sources, [copy()]);
    await assert.rejects(rmCommand.run([first()]), { code: 'E_NOT_FOUND', message: /No cached model was converted from/ });
    await capture(() => rmCommand.run([copy(), '--quant', 'f16']));
    assert.deepEqual(await listCache(cache()), []);
  });
});
