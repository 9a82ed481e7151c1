// A zip reader for PyTorch checkpoints: the end record (zip64 too), the central directory and
// local headers are read with every offset and size checked against the file before anything is
// read, so a malformed archive is an E_MODEL_FORMAT error, never an exception from a callback.
// Entries are stored or deflated (the only methods torch.save and zip tools use for them).

import type { FileHandle } from 'node:fs/promises';
import { crc32, inflateRawSync } from 'node:zlib';
import { GitcapError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import { readExactly } from './tensor-source.js';

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
/** A checkpoint's directory lists a few thousand entries; this is far above any real one. */
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;
const STORED = 0;
const DEFLATED = 8;

export interface ZipEntry {
  name: string;
  method: number;
  encrypted: boolean;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export interface ZipArchive {
  entries: Map<string, ZipEntry>;
  /** File offset of the entry's first data byte (its local header read and checked once). */
  dataStart(entry: ZipEntry): Promise<number>;
  /** The entry's bytes, inflated and checked against its CRC; at most `maxBytes` of them. */
  readWhole(entry: ZipEntry, maxBytes: number): Promise<Uint8Array>;
}

function fail(file: string, problem: string): GitcapError {
  return new GitcapError('E_MODEL_FORMAT', `${file}: not a valid zip archive (${problem})`);
}

/** A u64 field as a number, or an error when it cannot be a position in this file. */
function u64Within(file: string, view: DataView, at: number, limit: number, what: string): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(limit)) throw fail(file, `${what} ${v} is out of range (at most ${limit})`);
  return Number(v);
}

async function readAt(fh: FileHandle, file: string, position: number, length: number): Promise<DataView> {
  const bytes = new Uint8Array(length);
  await readExactly(fh, file, bytes, length, position);
  return new DataView(bytes.buffer);
}

interface Directory {
  offset: number;
  size: number;
  count: number;
}

/** Finds the end of central directory record (and the zip64 one it points to) in the file's tail. */
async function findDirectory(file: string, fh: FileHandle, size: number): Promise<Directory> {
  const tailLength = Math.min(size, EOCD_SIZE + MAX_COMMENT);
  const tail = await readAt(fh, file, size - tailLength, tailLength);
  let at = -1;
  for (let i = tailLength - EOCD_SIZE; i >= 0; i--) {
    if (tail.getUint32(i, true) === EOCD_SIGNATURE && i + EOCD_SIZE + tail.getUint16(i + 20, true) <= tailLength) {
      at = i;
      break;
    }
  }
  if (at < 0) throw fail(file, 'no end of central directory record; the file is truncated or not a zip');
  const eocdPosition = size - tailLength + at;
  if (tail.getUint16(at + 4, true) !== 0 || tail.getUint16(at + 6, true) !== 0) throw fail(file, 'multi-disk archives are not supported');
  let dir: Directory = { count: tail.getUint16(at + 10, true), size: tail.getUint32(at + 12, true), offset: tail.getUint32(at + 16, true) };
  const locatorPosition = eocdPosition - 20;
  if (locatorPosition >= 0) {
    const locator = await readAt(fh, file, locatorPosition, 20);
    if (locator.getUint32(0, true) === ZIP64_LOCATOR_SIGNATURE) {
      const zip64Position = u64Within(file, locator, 8, locatorPosition - 56, 'zip64 end record offset');
      const z = await readAt(fh, file, zip64Position, 56);
      if (z.getUint32(0, true) !== ZIP64_EOCD_SIGNATURE) throw fail(file, 'zip64 end record signature not found');
      dir = {
        count: u64Within(file, z, 32, size, 'zip64 entry count'),
        size: u64Within(file, z, 40, size, 'zip64 central directory size'),
        offset: u64Within(file, z, 48, size, 'zip64 central directory offset'),
      };
    }
  }
  if (dir.offset + dir.size > eocdPosition) {
    throw fail(file, `central directory (${dir.size} bytes at ${dir.offset}) reaches past its end record at ${eocdPosition}`);
  }
  if (dir.size > MAX_DIRECTORY_BYTES) throw fail(file, `central directory of ${dir.size} bytes is larger than ${MAX_DIRECTORY_BYTES}`);
  if (dir.count * CENTRAL_SIZE > dir.size) throw fail(file, `${dir.count} entries cannot fit a ${dir.size}-byte central directory`);
  return dir;
}

/** Applies the zip64 extended-information extra field to the values stored as 0xffffffff. */
function applyZip64Extra(file: string, extra: DataView, entry: ZipEntry, size: number): void {
  for (let p = 0; p + 4 <= extra.byteLength; ) {
    const id = extra.getUint16(p, true);
    const length = extra.getUint16(p + 2, true);
    if (p + 4 + length > extra.byteLength) throw fail(file, `extra field of ${printable(entry.name)} runs past its end`);
    if (id === 0x0001) {
      let q = p + 4;
      const next = (what: string, limit: number): number => {
        if (q + 8 > p + 4 + length) throw fail(file, `zip64 field of ${printable(entry.name)} is too short`);
        const v = u64Within(file, extra, q, limit, what);
        q += 8;
        return v;
      };
      const of = printable(entry.name);
      if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = next(`uncompressed size of ${of}`, Number.MAX_SAFE_INTEGER);
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next(`compressed size of ${of}`, size);
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next(`local header offset of ${of}`, size);
      return;
    }
    p += 4 + length;
  }
}

function parseDirectory(file: string, bytes: DataView, count: number, size: number): Map<string, ZipEntry> {
  const entries = new Map<string, ZipEntry>();
  const names = new TextDecoder('utf-8');
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + CENTRAL_SIZE > bytes.byteLength || bytes.getUint32(p, true) !== CENTRAL_SIGNATURE) {
      throw fail(file, `central directory entry ${i} is missing or has a bad signature`);
    }
    const nameLength = bytes.getUint16(p + 28, true);
    const extraLength = bytes.getUint16(p + 30, true);
    const commentLength = bytes.getUint16(p + 32, true);
    const end = p + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (end > bytes.byteLength) throw fail(file, `central directory entry ${i} runs past the directory`);
    const nameStart = bytes.byteOffset + p + CENTRAL_SIZE;
    const entry: ZipEntry = {
      name: names.decode(new Uint8Array(bytes.buffer, nameStart, nameLength)),
      method: bytes.getUint16(p + 10, true),
      encrypted: (bytes.getUint16(p + 8, true) & 1) !== 0,
      crc: bytes.getUint32(p + 16, true),
      compressedSize: bytes.getUint32(p + 20, true),
      uncompressedSize: bytes.getUint32(p + 24, true),
      localHeaderOffset: bytes.getUint32(p + 42, true),
    };
    applyZip64Extra(file, new DataView(bytes.buffer, nameStart + nameLength, extraLength), entry, size);
    if (entry.localHeaderOffset + LOCAL_SIZE + entry.compressedSize > size) {
      throw fail(file, `entry ${printable(entry.name)} (${entry.compressedSize} bytes at ${entry.localHeaderOffset}) reaches past the end of the file`);
    }
    if (entry.method === STORED && entry.compressedSize !== entry.uncompressedSize) {
      throw fail(file, `stored entry ${printable(entry.name)} has different compressed and uncompressed sizes`);
    }
    if (entries.has(entry.name)) throw fail(file, `two entries are named ${printable(entry.name)}`);
    entries.set(entry.name, entry);
    p = end;
  }
  return entries;
}

export async function openZipArchive(file: string, fh: FileHandle, size: number): Promise<ZipArchive> {
  const dir = await findDirectory(file, fh, size);
  const entries = parseDirectory(file, await readAt(fh, file, dir.offset, dir.size), dir.count, size);
  const starts = new Map<ZipEntry, number>();

  const dataStart = async (entry: ZipEntry): Promise<number> => {
    const known = starts.get(entry);
    if (known !== undefined) return known;
    const local = await readAt(fh, file, entry.localHeaderOffset, LOCAL_SIZE);
    if (local.getUint32(0, true) !== LOCAL_SIGNATURE) throw fail(file, `local header of ${printable(entry.name)} has a bad signature`);
    const start = entry.localHeaderOffset + LOCAL_SIZE + local.getUint16(26, true) + local.getUint16(28, true);
    if (start + entry.compressedSize > size) throw fail(file, `data of ${printable(entry.name)} reaches past the end of the file`);
    starts.set(entry, start);
    return start;
  };

  const readWhole = async (entry: ZipEntry, maxBytes: number): Promise<Uint8Array> => {
    const name = printable(entry.name);
    if (entry.encrypted) throw new GitcapError('E_UNSUPPORTED', `${file}: zip entry ${name} is encrypted`);
    if (entry.method !== STORED && entry.method !== DEFLATED) {
      throw new GitcapError('E_UNSUPPORTED', `${file}: zip entry ${name} uses compression method ${entry.method} (only stored and deflated are supported)`);
    }
    if (entry.uncompressedSize > maxBytes) throw fail(file, `entry ${name} is ${entry.uncompressedSize} bytes, more than the limit of ${maxBytes}`);
    const raw = new Uint8Array(entry.compressedSize);
    await readExactly(fh, file, raw, raw.length, await dataStart(entry));
    let data = raw;
    if (entry.method === DEFLATED) {
      try {
        data = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
      } catch {
        throw fail(file, `entry ${name} does not inflate to its declared ${entry.uncompressedSize} bytes`);
      }
      if (data.length !== entry.uncompressedSize) throw fail(file, `entry ${name} inflates to ${data.length} bytes, not the declared ${entry.uncompressedSize}`);
    }
    if (crc32(data) >>> 0 !== entry.crc) throw fail(file, `entry ${name} fails its CRC check`);
    return data;
  };

  return { entries, dataStart, readWhole };
}
