// Runs every ```js and ```ts block of README.md, each in its own process, in a folder where the
// file names the examples use are the fixtures: model.gguf (tiny-vatex converted), clip.mp4,
// photo.jpg, frame<n>.png, ./git-base-vatex/ (the tiny-vatex checkpoint); the hub is a local
// mock serving the fixture models under the README's repository ids, the model cache a temporary
// folder. `import ... from 'gitcap'` is the package's own source. A block preceded by the line
// `<!-- readme-test: skip (needs <what>) -->` is skipped with that reason. A js block must also
// parse as JavaScript on this Node.js (no TypeScript, no `await using` on Node.js 20).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { info } from '../../lib/index.js';
import { fixtureGguf } from '../model/goldens.js';
import { MockHub } from '../hub/mock-hub.js';
import { VATEX_FILES } from '../hub/helpers.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test', 'fixtures');
const GUARD = pathToFileURL(join(ROOT, 'test', 'hub', 'loopback-guard.ts')).href;
const TSX = import.meta.resolve('tsx');
const TASKSET = process.platform === 'linux' && existsSync('/usr/bin/taskset') ? '/usr/bin/taskset' : undefined;
const SKIP = /^<!-- readme-test: skip \(needs ([^)]+)\) -->$/;

interface Block {
  lang: 'js' | 'ts';
  line: number;
  code: string;
  skip: string | undefined;
}

/** The ```js / ```ts blocks of a Markdown text, with the skip marker of each. */
export function readmeBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!fence) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    assert.ok(end > i, `README.md:${i + 1}: unclosed code block`);
    const lang = fence[1];
    if (lang === 'js' || lang === 'ts') {
      let before = i - 1;
      while (before >= 0 && lines[before]!.trim() === '') before--;
      const skip = before >= 0 ? SKIP.exec(lines[before]!.trim())?.[1] : undefined;
      blocks.push({ lang, line: i + 1, code: lines.slice(i + 1, end).join('\n'), skip: skip && `needs ${skip}` });
    }
    i = end;
  }
  return blocks;
}

/** The first CPU this process may run on (taskset takes a CPU this process's affinity allows). */
function firstCpu(): number {
  const allowed = readFileSync('/proc/self/status', 'utf8').match(/^Cpus_allowed_list:\s*(\d+)/m);
  return allowed ? Number(allowed[1]) : 0;
}

/** `from 'gitcap'` and `from 'gitcap/weights-convert'` as this checkout's sources. */
function withLocalImports(code: string): string {
  const source = (path: string) => pathToFileURL(join(ROOT, path)).href;
  return code
    .replace(/from 'gitcap'/g, `from '${source('lib/index.ts')}'`)
    .replace(/from 'gitcap\/weights-convert'/g, `from '${source('weights-convert/index.ts')}'`)
    .replace(/import\('gitcap'\)/g, `import('${source('lib/index.ts')}')`);
}

const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
const blocks = readmeBlocks(readme);

let work: string;
let hub: MockHub;
let env: NodeJS.ProcessEnv;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'gitcap-readme-'));
  const inputs = join(FIXTURES, 'inputs');
  await copyFile(await fixtureGguf('tiny-vatex'), join(work, 'model.gguf'));
  await copyFile(join(inputs, 'clip.mp4'), join(work, 'clip.mp4'));
  await copyFile(join(inputs, 'photo_640x480.jpg'), join(work, 'photo.jpg'));
  for (let n = 0; n < 6; n++) {
    const frame = readdirSync(inputs).find((f) => f.startsWith(`clip_frame${n}_`))!;
    await copyFile(join(inputs, frame), join(work, `frame${n}.png`));
  }
  await cp(join(FIXTURES, 'tiny-vatex'), join(work, 'git-base-vatex'), { recursive: true });
  hub = await MockHub.start([
    { id: 'microsoft/git-base-vatex', dir: join(FIXTURES, 'tiny-vatex'), files: VATEX_FILES },
    { id: 'microsoft/git-base-coco', dir: join(FIXTURES, 'tiny-image') },
  ]);
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(HF_|HTTPS?_PROXY$|NO_PROXY$|GITCAP_CACHE$)/i.test(k)));
  env = {
    ...clean,
    GITCAP_ADDON_PATH: info().addonPath,
    GITCAP_CACHE: join(work, 'cache'),
    HF_HUB_CACHE: join(work, 'hf-cache'),
    HF_ENDPOINT: hub.url,
  };
  await mkdir(join(work, 'blocks'));
});
after(async () => {
  await hub?.close();
  await rm(work, { recursive: true, force: true });
});

describe('README.md examples', () => {
  it('has js/ts examples to run', () => assert.ok(blocks.length >= 10, `${blocks.length} blocks`));

  for (const block of blocks) {
    const lines = block.code.split('\n');
    const name = `README.md:${block.line} (${block.lang}): ${(lines.find((l) => l.trim() && !l.startsWith('import')) ?? lines[0]!).trim()}`;
    it(name, { skip: block.skip ?? false, timeout: 180_000 }, async () => {
      const file = join(work, 'blocks', `line-${block.line}.${block.lang === 'js' ? 'mjs' : 'mts'}`);
      if (block.lang === 'js') {
        // As a user's Node.js reads it, before any transpiling.
        await writeFile(file, block.code);
        await run(process.execPath, ['--check', file]).catch((err: { stderr: string }) =>
          assert.fail(`README.md:${block.line} is not JavaScript this Node.js runs:\n${err.stderr}`),
        );
      }
      await writeFile(file, withLocalImports(block.code));
      const command = [process.execPath, '--import', TSX, '--import', GUARD, file];
      // One core: the default thread count follows the cores the process may use, and a busy
      // test machine makes several spinning threads slow.
      if (TASKSET) command.unshift(TASKSET, '-c', String(firstCpu()));
      await run(command[0]!, command.slice(1), { cwd: work, env, timeout: 170_000 }).catch(
        (err: { stdout: string; stderr: string }) => assert.fail(`README.md:${block.line} failed:\n${err.stdout}\n${err.stderr}`),
      );
    });
  }
});

describe('README.md skip markers', () => {
  it('are read with their reason, only right before a block', () => {
    const md = [
      '<!-- readme-test: skip (needs a Redis server) -->',
      '',
      '```js',
      'a()',
      '```',
      '```ts',
      'b()',
      '```',
      '```sh',
      'c',
      '```',
    ].join('\n');
    assert.deepEqual(readmeBlocks(md), [
      { lang: 'js', line: 3, code: 'a()', skip: 'needs a Redis server' },
      { lang: 'ts', line: 6, code: 'b()', skip: undefined },
    ]);
  });
});
