#!/usr/bin/env node
// The package's install script (npm runs it in the package folder on install and on
// `npm rebuild gitcap`):
//   1. a prebuilt or already built addon that loads: nothing to do, nothing printed;
//   2. otherwise one line saying that a source build starts, then cmake-js, its output kept in a
//      log file in the temporary folder and shown only when the build fails (GITCAP_VERBOSE_BUILD=1 shows
//      it as it comes);
//   3. without CMake or a C++ compiler: a message saying what to install, before any build.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = process.cwd();
const verbose = ['1', 'true', 'yes', 'on'].includes((process.env.GITCAP_VERBOSE_BUILD ?? '').toLowerCase());
const platform = `${process.platform}-${process.arch}`;
const TAIL_LINES = 80;

const say = (line) => process.stderr.write(`gitcap: ${line}\n`);

/** node-gyp-build's own check, in a child: the addon it would load loads. */
function builtAddonLoads() {
  const test = spawnSync(process.execPath, [require.resolve('node-gyp-build/build-test.js')], { cwd: root, encoding: 'utf8' });
  if (test.status !== 0 && verbose) {
    const reason = test.stderr.split('\n').find((line) => /^\w*Error\b/.test(line)) ?? `exit status ${test.status}`;
    say(`the prebuilt binary check says: ${reason}`);
  }
  return test.status === 0;
}

function runs(command, args) {
  const r = spawnSync(command, args, { stdio: 'ignore', shell: false });
  return r.status === 0;
}

/** What the source build needs and this machine lacks. */
function missingTools() {
  const missing = [];
  if (!runs(process.env.CMAKE ?? 'cmake', ['--version'])) missing.push('CMake 3.18 or later');
  // On Windows CMake finds Visual Studio itself; elsewhere a compiler must be on the PATH.
  const compilers = [process.env.CXX, 'c++', 'g++', 'clang++'].filter(Boolean);
  if (process.platform !== 'win32' && !compilers.some((cxx) => runs(cxx, ['--version']))) {
    missing.push('a C++17 compiler (GCC 9+ or Clang 10+)');
  }
  return missing;
}

function howToInstall() {
  return [
    '  Debian, Ubuntu: apt-get install cmake g++',
    '  Fedora, RHEL:   dnf install cmake gcc-c++',
    '  Alpine:         apk add cmake g++ make',
    '  macOS:          xcode-select --install; brew install cmake',
    '  Windows:        Visual Studio 2022 with "Desktop development with C++" (it includes CMake)',
    'then run: npm rebuild gitcap',
  ].join('\n');
}

/** cmake-js is a development dependency: a checkout has it; an installed package fetches it only
 * for a source build, so that installs that load a prebuilt binary download no build tool. */
function cmakeJsCommand() {
  try {
    return { command: process.execPath, args: [require.resolve('cmake-js/bin/cmake-js'), 'compile'] };
  } catch {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    return { command: npm, args: ['exec', '--yes', '--package=cmake-js@8.0.0', '--', 'cmake-js', 'compile'] };
  }
}

function sourceBuild() {
  const missing = missingTools();
  if (missing.length > 0) {
    say(`no prebuilt binary loads on ${platform}, and building one from source needs ${missing.join(' and ')}, not found on the PATH. Install them:\n${howToInstall()}`);
    return 1;
  }
  say(`no prebuilt binary loads on ${platform}: building the native addon from source (one to two minutes; GITCAP_VERBOSE_BUILD=1 shows the compiler's output)`);
  const cmakeJs = cmakeJsCommand();
  if (verbose) {
    return spawnSync(cmakeJs.command, cmakeJs.args, { cwd: root, stdio: 'inherit' }).status ?? 1;
  }
  // Not under build/: cmake-js empties that folder before a first configure.
  const logPath = path.join(os.tmpdir(), `gitcap-build-${process.pid}.log`);
  const log = fs.openSync(logPath, 'w');
  const build = spawnSync(cmakeJs.command, cmakeJs.args, { cwd: root, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  if (build.status === 0) {
    fs.rmSync(logPath, { force: true });
    say('built build/Release/gitcap.node');
    return 0;
  }
  const lines = fs.readFileSync(logPath, 'utf8').trimEnd().split('\n');
  process.stderr.write(`${lines.slice(-TAIL_LINES).join('\n')}\n`);
  say(`the source build failed (the last ${Math.min(TAIL_LINES, lines.length)} lines of its output are above; all of it is in ${logPath}). It needs CMake 3.18+ and a C++17 compiler:\n${howToInstall()}`);
  return build.status ?? 1;
}

process.exitCode = builtAddonLoads() ? 0 : sourceBuild();
