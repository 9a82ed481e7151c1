// native/scripts/install.mjs, the package's install script, in an empty package folder (no
// prebuild, no build), with a PATH that holds only fake tools: what it prints when the source
// build succeeds, fails, is verbose, or cannot start for want of CMake or a compiler.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

const SCRIPT = fileURLToPath(new URL('../../native/scripts/install.mjs', import.meta.url));
const START_LINE = /^gitcap: no prebuilt binary loads on [\w-]+: building the native addon from source/;
const NOISE_LINES = 3000;

let work: string;
let logDir: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'gitcap-install-'));
  logDir = join(work, 'tmp');
  await mkdir(logDir);
  // The package folder: what cmake-js reads (Node-API, so it downloads no headers), no binary.
  await writeFile(join(work, 'package.json'), JSON.stringify({ name: 'gitcap', version: '0.0.0', binary: { napi_versions: [8] } }));
  await writeFile(join(work, 'CMakeLists.txt'), '');
  // A cmake that answers --version, prints a lot for anything else and exits FAKE_CMAKE_EXIT.
  await mkdir(join(work, 'bin'));
  await mkdir(join(work, 'empty-bin'));
  const cmake = [
    '#!/bin/sh',
    'if [ "$1" = "--version" ]; then echo "cmake version 3.25.1"; exit 0; fi',
    `i=0; while [ $i -lt ${NOISE_LINES} ]; do echo "compiler noise $i"; i=$((i+1)); done`,
    'exit ${FAKE_CMAKE_EXIT:-0}',
  ].join('\n');
  await writeFile(join(work, 'bin', 'cmake'), `${cmake}\n`);
  await writeFile(join(work, 'bin', 'g++'), '#!/bin/sh\necho "g++ (fake) 12"\n');
  await chmod(join(work, 'bin', 'cmake'), 0o755);
  await chmod(join(work, 'bin', 'g++'), 0o755);
});
after(() => rm(work, { recursive: true, force: true }));

function install(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [SCRIPT], {
    cwd: work,
    env: { PATH: join(work, 'bin'), TMPDIR: logDir, HOME: work, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('install script', { skip: process.platform === 'win32' && 'the fake tools are shell scripts' }, () => {
  it('a successful source build prints one line before and one after, nothing of the compiler', async () => {
    const r = await install({});
    assert.equal(r.code, 0, r.stderr);
    const lines = (r.stdout + r.stderr).trimEnd().split('\n');
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0]!, START_LINE);
    assert.match(lines[1]!, /^gitcap: built build\/Release\/gitcap\.node$/);
    assert.deepEqual(await readdir(logDir), [], 'the log of a successful build is removed');
  });

  it('GITCAP_VERBOSE_BUILD=1 shows the compiler output as it comes', async () => {
    const r = await install({ GITCAP_VERBOSE_BUILD: '1' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^gitcap: the prebuilt binary check says: Error: No native build was found/);
    assert.match(r.stderr, new RegExp(START_LINE.source, 'm'));
    assert.match(r.stdout + r.stderr, new RegExp(`compiler noise ${NOISE_LINES - 1}\\n`));
  });

  it('a failed build shows the end of its output, where the whole log is, and what it needs', async () => {
    const r = await install({ FAKE_CMAKE_EXIT: '3' });
    assert.notEqual(r.code, 0);
    const out = r.stdout + r.stderr;
    assert.match(out, START_LINE);
    assert.match(out, new RegExp(`compiler noise ${NOISE_LINES - 1}\\n`));
    assert.doesNotMatch(out, /compiler noise 0\n/, 'only the end of a long output is printed');
    const log = /all of it is in (\S+)\)/.exec(out)?.[1];
    assert.ok(log?.startsWith(logDir), out.slice(-600));
    assert.match(out, /apt-get install cmake g\+\+/);
    assert.match(out, /npm rebuild gitcap/);
  });

  it('without CMake or a compiler: a message saying what to install, no stack trace, no build', async () => {
    const r = await install({ PATH: join(work, 'empty-bin') });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^gitcap: no prebuilt binary loads on [\w-]+, and building one from source needs CMake 3\.18 or later and a C\+\+17 compiler/);
    assert.match(r.stderr, /apt-get install cmake g\+\+/);
    assert.match(r.stderr, /then run: npm rebuild gitcap\n$/);
    assert.doesNotMatch(r.stderr, /OMG|    at |No native build was found/);
  });
});
