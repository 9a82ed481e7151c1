// What a checkpoint reader hands the converter: tensor metadata up front, data on demand.

import { GitcapError } from '../core/errors.js';

/** Bytes per element of every dtype a checkpoint may declare (safetensors spelling). */
export const DTYPE_SIZE: Readonly<Record<string, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

export interface SourceTensor {
  name: string;
  /** safetensors spelling: F32, F16, BF16, I64, ... */
  dtype: string;
  /** PyTorch order, outermost first */
  shape: number[];
  /** the file the data lives in, for messages */
  file: string;
  /** Reads `count` elements from element `start` (row-major order) into `into`, as raw `dtype` bytes. */
  read(start: number, count: number, into: Uint8Array): Promise<void>;
}

export interface TensorSource {
  /** every weights file read, in order */
  files: string[];
  tensors: Map<string, SourceTensor>;
  close(): Promise<void>;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Reads exactly `length` bytes at `position`, or fails with E_IO naming the file. */
export async function readExactly(
  fh: import('node:fs/promises').FileHandle,
  file: string,
  into: Uint8Array,
  length: number,
  position: number,
): Promise<void> {
  let done = 0;
  while (done < length) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await fh.read(into, done, length - done, position + done));
    } catch (err) {
      throw new GitcapError('E_IO', `${file}: read failed: ${(err as Error).message}`, { cause: err });
    }
    if (bytesRead === 0) {
      throw new GitcapError('E_IO', `${file}: file ended at byte ${position + done} while reading ${length} bytes at ${position}`);
    }
    done += bytesRead;
  }
}
