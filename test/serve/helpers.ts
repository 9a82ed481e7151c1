// Servers on the fixture models for the serve tests, in a temporary folder of their own so that
// the tests can see every upload file the server makes (and that none is left).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitModel, serve, type GitcapServer, type ServeOptions } from '../../lib/index.js';
import { FIXTURES, fixtureGguf, goldens } from '../model/goldens.js';

export { FIXTURES };

/** os.tmpdir() of this process from now on: the servers' upload folders are made in it. */
export const TEMP = mkdtempSync(join(tmpdir(), 'gitcap-serve-test-'));
process.env.TMPDIR = TEMP;
process.on('exit', () => rmSync(TEMP, { recursive: true, force: true }));

export const IMAGE = join(FIXTURES, 'inputs/square_224x224.png');
export const FRAMES = goldens.cases.vatex_clip_full!.inputs.map((f) => join(FIXTURES, f));
export const CLIP = join(FIXTURES, 'inputs/clip.mp4');

export function loadFixture(name: 'tiny-image' | 'tiny-vatex'): Promise<GitModel> {
  return fixtureGguf(name).then((path) => GitModel.load(path, { backend: 'cpu', threads: 1 }));
}

export function startServer(model: GitModel, options: ServeOptions = {}): Promise<GitcapServer> {
  return serve({ model, port: 0, quiet: true, ...options });
}

/** Every file below the servers' upload folders (none once each request has ended). */
export function uploadFiles(): string[] {
  return readdirSync(TEMP, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.parentPath.includes('gitcap-serve-', TEMP.length))
    .map((e) => join(e.parentPath, e.name));
}

export function assertNoUploadLeft(): void {
  assert.deepEqual(uploadFiles(), []);
}

/** Waits until `check` holds, polling; fails after `ms`. */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function form(fields: Record<string, string>, files: Array<{ bytes: Uint8Array; name: string; type: string }>): FormData {
  const f = new FormData();
  for (const file of files) f.append('file', new Blob([file.bytes], { type: file.type }), file.name);
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
}

export interface SseEvent {
  event: string;
  data: string;
}

/** Every Server-Sent Event of a finished answer. */
export function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      return { event, data: data.join('\n') };
    });
}

/** A JSON answer, for assertions on its fields. */
export const json = (res: Response): Promise<any> => res.json();
