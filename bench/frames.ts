// The frames every configuration (and the PyTorch peer) captions: the `*frame*.png` files of a
// folder in name order, as bench_peer.py --frames picks them.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GitcapError } from '../core/errors.js';

export async function listFrames(dir: string, count: number): Promise<string[]> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    throw new GitcapError('E_NOT_FOUND', `${dir}: cannot list the frames folder (${err.code ?? err.message})`);
  });
  const pngs = names.filter((n) => n.toLowerCase().endsWith('.png')).sort();
  const framed = pngs.filter((n) => n.includes('frame'));
  const picked = (framed.length > 0 ? framed : pngs).slice(0, count);
  if (picked.length < count) {
    throw new GitcapError('E_INPUT', `${dir}: the model takes ${count} frames but the folder has ${picked.length} PNG files`);
  }
  return picked.map((n) => join(dir, n));
}
