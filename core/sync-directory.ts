import { open } from 'node:fs/promises';

/** Makes a rename durable; not every platform can fsync a directory, which is fine. */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open directories; EISDIR/EPERM elsewhere: the rename is still atomic.
  }
}
