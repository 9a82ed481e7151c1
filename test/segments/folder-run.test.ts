// Folder runs: `gitcap caption <folder> --recursive --jsonl <out>` over 200 files with 3 broken
// ones, interrupted with SIGINT and resumed, and `gitcap caption -` reading the list on stdin.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, copyFile, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { listMediaFiles } from '../../lib/inputs/walk-inputs.js';
import { gitcap, startGitcap, tempDir } from '../cli/gitcap-process.js';
import { FIXTURES, fixtureGguf } from '../model/goldens.js';

const INPUTS = path.join(FIXTURES, 'inputs');
const GOOD = ['tiny_20x15.png', 'square_224x224.png', 'gray_256x320.png', 'palette_200x150.png', 'odd_333x500.jpg'];
const BROKEN = ['b/broken-empty.png', 'b/c/broken-garbage.jpg', 'broken-text.mp4'];

interface Line {
  file: string;
  text?: string;
  error?: { code: string; message: string };
}

const readLines = async (file: string) =>
  (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line);

let tmp: Awaited<ReturnType<typeof tempDir>>;
let media = '';
let image = '';

/** 200 media files in nested folders (2 videos, 3 broken), and files a run must not pick up. */
async function makeFolder(): Promise<void> {
  media = path.join(tmp.path, 'media');
  for (let i = 0; i < 195; i++) {
    const name = GOOD[i % GOOD.length]!;
    const sub = path.join(media, `d${Math.floor(i / 50)}`, i % 2 === 0 ? '' : 'odd');
    await mkdir(sub, { recursive: true });
    await copyFile(path.join(INPUTS, name), path.join(sub, `${String(i).padStart(3, '0')}-${name}`));
  }
  await copyFile(path.join(INPUTS, 'clip.mp4'), path.join(media, 'clip-a.mp4'));
  await copyFile(path.join(INPUTS, 'clip.mp4'), path.join(media, 'd1', 'clip-b.MP4'));
  await mkdir(path.join(media, 'b', 'c'), { recursive: true });
  await writeFile(path.join(media, BROKEN[0]!), '');
  await writeFile(path.join(media, BROKEN[1]!), Buffer.from('\xff\xd8\xff this is not a jpeg', 'latin1'));
  await writeFile(path.join(media, BROKEN[2]!), 'not a video');
  // Not picked up: other files, hidden folders, links that lead outside.
  await writeFile(path.join(media, 'notes.txt'), 'hello');
  await mkdir(path.join(media, '.hidden'));
  await copyFile(path.join(INPUTS, GOOD[0]!), path.join(media, '.hidden', 'x.png'));
  await copyFile(path.join(INPUTS, GOOD[0]!), path.join(tmp.path, 'outside.png'));
  await symlink(path.join(tmp.path, 'outside.png'), path.join(media, 'link-outside.png'));
  await symlink(tmp.path, path.join(media, 'link-up'));
  await symlink(media, path.join(media, 'd0', 'loop'));
}

describe('folder runs', () => {
  before(async () => {
    tmp = await tempDir();
    image = await fixtureGguf('tiny-image');
    await makeFolder();
  });
  after(() => tmp.remove());

  it('lists the 200 media files below the folder, sorted, without links outside it', async () => {
    const files = await listMediaFiles(media, { recursive: true });
    assert.equal(files.length, 200);
    assert.deepEqual(files, [...files].sort());
    assert.ok(files.every((f) => f.startsWith(media + path.sep)));
    assert.ok(!files.some((f) => /outside|\.hidden|notes|link-up/.test(f)));
    assert.ok(files.includes(path.join(media, 'd1', 'clip-b.MP4')));
    const top = await listMediaFiles(media);
    assert.deepEqual(top, [path.join(media, 'broken-text.mp4'), path.join(media, 'clip-a.mp4')]);
    await assert.rejects(listMediaFiles(path.join(media, 'none')), { code: 'E_NOT_FOUND' });
  });

  it('captions every file exactly once across a SIGINT and a --resume, the 3 broken ones as typed errors', async () => {
    const out = path.join(tmp.path, 'out.jsonl');
    const args = ['caption', media, '--recursive', '--jsonl', out, '--concurrency', '2', '--model', image, '--threads', '1'];
    const first = startGitcap(args);
    // Interrupt once some lines are written.
    for (let waited = 0; waited < 120_000; waited += 50) {
      const text = await readFile(out, 'utf8').catch(() => '');
      if (text.split('\n').length > 20) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    first.process.kill('SIGINT');
    const interrupted = await first.exit;
    assert.equal(interrupted.code, 130, interrupted.stderr);
    const before = await readLines(out);
    assert.ok(before.length >= 20 && before.length < 200, `${before.length} lines before the interruption`);

    // A line cut short (a kill -9 in the middle of a write) is dropped and its file done again.
    const all = await listMediaFiles(media, { recursive: true });
    const notDone = all.find((f) => !before.some((l) => l.file === f))!;
    await appendFile(out, `{"file":${JSON.stringify(notDone)},"te`);

    const resumed = await gitcap([...args, '--resume']);
    assert.ok(resumed.code === 0 || resumed.code === 1, resumed.stderr);
    const lines = await readLines(out);
    assert.deepEqual(lines.map((l) => l.file).sort(), all);
    const errors = lines.filter((l) => l.error !== undefined);
    assert.deepEqual(errors.map((l) => l.file).sort(), BROKEN.map((b) => path.join(media, b)).sort());
    for (const e of errors) {
      assert.equal(e.error!.code, 'E_INPUT', e.error!.message);
      assert.ok(e.error!.message.includes(e.file), e.error!.message);
    }
    assert.ok(lines.filter((l) => l.error === undefined).every((l) => typeof l.text === 'string'));

    // Everything done: a third run captions nothing and keeps the file.
    const again = await gitcap([...args, '--resume']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await readLines(out)).length, 200);
  });

  it('gitcap caption - reads the list from stdin and writes JSON lines to stdout', async () => {
    const list = [path.join(INPUTS, GOOD[1]!), path.join(tmp.path, 'missing.png'), path.join(INPUTS, 'clip.mp4'), path.join(INPUTS, GOOD[1]!)];
    const main = fileURLToPath(new URL('../../lib/cli/main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', main, 'caption', '-', '--model', image, '--threads', '1'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, HF_HUB_OFFLINE: '1' },
    });
    child.stdin.end(`${list.join('\n')}\n\n`);
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 1);
    const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Line);
    assert.deepEqual(lines.map((l) => l.file), list.slice(0, 3)); // the repeated path once
    assert.equal(lines[1]!.error!.code, 'E_NOT_FOUND');
    assert.ok(lines[0]!.text && lines[2]!.text);
  });
});
