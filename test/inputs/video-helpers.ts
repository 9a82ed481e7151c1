import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findFfmpegTools, type FfmpegTools } from '../../lib/inputs/ffmpeg.js';

const execFileAsync = promisify(execFile);

export const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'inputs');

/**
 * The ffmpeg tools, or why the video tests are skipped: only when ffmpeg is missing and CI is
 * not set. Under CI a missing ffmpeg makes the tests run and fail with E_FFMPEG.
 */
export async function ffmpegForTests(): Promise<{ tools: FfmpegTools | undefined; skip: string | false }> {
  try {
    return { tools: await findFfmpegTools(), skip: false };
  } catch (err) {
    if (process.env.CI) return { tools: undefined, skip: false };
    return { tools: undefined, skip: `ffmpeg not found, video tests skipped: ${(err as Error).message}` };
  }
}

export function makeTempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'gitcap-video-'));
}

/** Runs the real ffmpeg (test setup only), bounded to 60 s. */
export async function ffmpeg(tools: FfmpegTools, args: readonly string[]): Promise<Buffer> {
  const { stdout } = await execFileAsync(tools.ffmpeg, ['-nostdin', '-v', 'error', '-y', ...args], {
    encoding: 'buffer',
    maxBuffer: 512 * 1024 * 1024,
    timeout: 60_000,
  });
  return stdout;
}

/** Every frame exactly as `ffmpeg -i file [extra] -f rawvideo -pix_fmt rgb24 -` gives it. */
export async function referenceFrames(tools: FfmpegTools, file: string, frameBytes: number, extra: string[] = []) {
  const all = await ffmpeg(tools, ['-i', file, ...extra, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
  const frames: Buffer[] = [];
  for (let offset = 0; offset + frameBytes <= all.length; offset += frameBytes) {
    frames.push(all.subarray(offset, offset + frameBytes));
  }
  return frames;
}

export function compareBytes(actual: Uint8Array, expected: Uint8Array): { maxAbsDiff: number; differingShare: number } {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let maxAbsDiff = 0;
  let differing = 0;
  for (let i = 0; i < actual.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    if (diff > 0) differing++;
    if (diff > maxAbsDiff) maxAbsDiff = diff;
  }
  return { maxAbsDiff, differingShare: differing / actual.length };
}

/** An executable shell script standing in for ffmpeg or ffprobe. */
export async function fakeTool(dir: string, name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

/**
 * Processes whose parent is this process, zombies included (Linux /proc). Other systems: [].
 * tsx keeps an esbuild child alive, so tests compare against a snapshot taken before the call.
 */
export async function childPids(): Promise<number[]> {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ..." — comm may hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid) children.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return children;
}

/** Children started since `before` that still exist. */
export async function newChildren(before: readonly number[]): Promise<number[]> {
  return (await childPids()).filter((pid) => !before.includes(pid));
}
