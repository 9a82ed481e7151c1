// The GGUF of each weight type, converted once from the checkpoint and kept in the cache folder
// (a file older than the checkpoint's weights is converted again).
import { mkdir, open, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { GitcapError } from '../core/errors.js';
import { convertCheckpoint, WEIGHTS_FILES, type QuantType } from '../weights-convert/index.js';

async function mtimeMs(path: string): Promise<number | undefined> {
  return stat(path).then((s) => s.mtimeMs, () => undefined);
}

async function newestWeights(modelDir: string): Promise<number> {
  const times = await Promise.all(WEIGHTS_FILES.map((f) => mtimeMs(join(modelDir, f))));
  const found = times.filter((t): t is number => t !== undefined);
  if (found.length === 0) {
    throw new GitcapError('E_NOT_FOUND', `${modelDir}: no weights file (${WEIGHTS_FILES.join(', ')}); ` +
      'write the benchmark checkpoint with /usr/bin/python3 bench/peers/torch_peer.py /tmp/git-base-vatex-random');
  }
  return Math.max(...found);
}

/** Path of the `type` GGUF of `modelDir` in `cacheDir`, converting it first when missing or stale. */
export async function ensureGguf(modelDir: string, cacheDir: string, type: QuantType, log: (line: string) => void): Promise<string> {
  const out = join(cacheDir, `${basename(resolve(modelDir))}-${type}.gguf`);
  const sourceTime = await newestWeights(modelDir);
  const outTime = await mtimeMs(out);
  if (outTime !== undefined && outTime >= sourceTime) return out;
  await mkdir(cacheDir, { recursive: true });
  log(`converting ${modelDir} to ${type}: ${out}`);
  const started = performance.now();
  await convertCheckpoint(modelDir, out, { type });
  log(`converted in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return out;
}

/** Reads the file once so that every configuration loads it from the page cache alike. */
export async function warmPageCache(path: string): Promise<void> {
  const file = await open(path);
  try {
    const buf = Buffer.allocUnsafe(8 << 20);
    while ((await file.read(buf, 0, buf.length, null)).bytesRead > 0);
  } finally {
    await file.close();
  }
}
