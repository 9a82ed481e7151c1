import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { GitcapError } from '../../core/errors.js';
import { convertCheckpoint } from '../../weights-convert/index.js';
import { ioError, syncDirectory } from './fs-util.js';
import type { QuantType } from './quantization.js';

/** Progress of the conversion phase. */
export interface ConvertProgress {
  phase: 'convert';
  /** The GGUF being written. */
  file: string;
  bytesDone: number;
  bytesTotal: number;
  tensorsDone: number;
  tensorsTotal: number;
  /** The tensor being converted, when the converter says. */
  tensor: string | undefined;
}

/**
 * Converts the checkpoint in `sourceDir` into `ggufPath`: written beside it under a temporary
 * name, synced, then renamed, so a GGUF in the cache is always complete.
 */
export async function convertSource(
  sourceDir: string,
  ggufPath: string,
  quantization: QuantType,
  onProgress: ((p: ConvertProgress) => void) | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  const temp = `${ggufPath}.${process.pid}.incomplete`;
  const file = basename(ggufPath);
  try {
    await mkdir(dirname(ggufPath), { recursive: true });
    await convertCheckpoint(sourceDir, temp, {
      type: quantization,
      signal,
      onProgress: (p) =>
        onProgress?.({
          phase: 'convert',
          file,
          bytesDone: p.bytesDone,
          bytesTotal: p.bytesTotal,
          tensorsDone: p.tensorsDone,
          tensorsTotal: p.tensorsTotal,
          tensor: p.name,
        }),
    });
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, ggufPath);
  } catch (err) {
    await rm(temp, { force: true });
    throw err instanceof GitcapError ? err : ioError(err, temp);
  }
  await syncDirectory(dirname(ggufPath));
}
