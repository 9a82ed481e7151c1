// The package as `npm ci` in a checkout and `npm install gitcap` see it: the TypeScript compiled
// as `prepare` compiles it (into a temporary package folder), `npm start -- <file>` captioning
// the sample clip, require('gitcap'), TypeScript consumers, and source maps that carry their
// sources. The addon is this checkout's.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { info } from '../../lib/index.js';
import { fixtureGguf, goldens } from '../model/goldens.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const CLIP = join(ROOT, 'test', 'fixtures', 'inputs', 'clip.mp4');
const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  exports: Record<string, Record<string, string>>;
  bin: Record<string, string>;
};

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gitcap-package-'));
  await copyFile(join(ROOT, 'package.json'), join(dir, 'package.json'));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // What `npm run build:ts` runs, into the temporary package.
  assert.match(pkg.scripts['build:ts']!, /^tsc -p tsconfig\.build\.json$/);
  await run(process.execPath, [TSC, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist')], { cwd: ROOT });
});
after(() => rm(dir, { recursive: true, force: true }));

/** The temporary package has no binary: it loads the one this process loaded. */
const env = () => ({ ...process.env, HF_HUB_OFFLINE: '1', GITCAP_ADDON_PATH: info().addonPath });

function node(args: string[]) {
  return run(process.execPath, args, { cwd: dir, env: env() });
}

describe('a checkout', () => {
  it('npm ci compiles the TypeScript (prepare) and builds the addon quietly (install)', () => {
    assert.equal(pkg.scripts.prepare, 'npm run build:ts');
    assert.equal(pkg.scripts.install, 'node native/scripts/install.mjs');
  });

  it('npm start -- <file> --model <gguf> captions the sample clip', { timeout: 120_000 }, async () => {
    assert.equal(pkg.scripts.start, `node ${pkg.bin.gitcap!.replace(/^\.\//, '')}`);
    const gguf = await fixtureGguf('tiny-vatex');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const { stdout } = await run(npm, ['start', '--silent', '--', CLIP, '--model', gguf, '--threads', '1'], {
      cwd: dir,
      env: env(),
      shell: process.platform === 'win32',
    });
    assert.equal(stdout, `${goldens.cases.vatex_clip_full!.decoded}\n`);
  });
});

describe('the published package', () => {
  it("require('gitcap') loads it where Node.js can require ES modules", async () => {
    const { stdout } = await node(['-e', "console.log(typeof require('gitcap').GitModel)"]).catch((err: { stderr: string }) => ({
      stdout: err.stderr,
    }));
    // Node.js with require(esm) gives the module; older ones the message below.
    if (!/ES module/.test(stdout)) assert.equal(stdout.trim(), 'function');
    assert.equal(pkg.exports['.']!.require, './dist/lib/require.cjs');
  });

  it("require('gitcap') without require(esm) says how to import it", async () => {
    const failed = await node(['--no-experimental-require-module', '-e', "require('gitcap')"]).then(
      () => assert.fail('require succeeded'),
      (err: { stderr: string }) => err.stderr,
    );
    assert.match(failed, /Error: gitcap is an ES module: use `import` \(import \{ GitModel \} from 'gitcap'\) or `await import\('gitcap'\)`/);
  });

  // node16 behaves as nodenext here.
  for (const [module, moduleResolution] of [
    ['nodenext', 'nodenext'],
    ['esnext', 'bundler'],
  ] as const) {
    it(`type-checks in a TypeScript project with module ${module}, moduleResolution ${moduleResolution}`, async () => {
      const project = join(dir, `consumer-${moduleResolution}`);
      await mkdir(join(project, 'node_modules'), { recursive: true });
      await symlink(dir, join(project, 'node_modules', 'gitcap'), 'dir');
      await symlink(join(ROOT, 'node_modules', '@types'), join(project, 'node_modules', '@types'), 'dir');
      await writeFile(join(project, 'package.json'), '{ "name": "consumer", "type": "module" }\n');
      await writeFile(
        join(project, 'index.ts'),
        "import { GitModel, type CaptionResult } from 'gitcap';\nexport const load = (p: string): Promise<GitModel> => GitModel.load(p);\nexport type R = CaptionResult;\n",
      );
      const options = ['--module', module, '--moduleResolution', moduleResolution, '--strict', '--noEmit', '--skipLibCheck', '--types', 'node'];
      await run(process.execPath, [TSC, ...options, 'index.ts'], { cwd: project }).catch((err: { stdout: string }) => {
        assert.fail(err.stdout);
      });
    });
  }

  it('every source map carries the sources it names', async () => {
    const files = (await readdir(join(dir, 'dist'), { recursive: true })).filter((f) => f.endsWith('.map'));
    assert.ok(files.length > 50, `${files.length} maps`);
    for (const file of files) {
      const map = JSON.parse(await readFile(join(dir, 'dist', file), 'utf8')) as { sources: string[]; sourcesContent?: unknown[] };
      assert.equal(map.sourcesContent?.length, map.sources.length, file);
      assert.ok(map.sourcesContent!.every((s) => typeof s === 'string' && s.length > 0), file);
    }
  });
});
