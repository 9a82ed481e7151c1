#!/usr/bin/env node
// `npm run prebuild`: the portable prebuilt binaries, prebuilds/<platform>-<arch>/ (gitcap.node,
// ggml's libraries and one CPU backend module per instruction-set level), for
//   linux-x64     the host compiler
//   linux-arm64   g++-aarch64-linux-gnu         (native/cmake/toolchains/aarch64-linux-gnu.cmake)
//   win32-x64     g++-mingw-w64-x86-64-posix    (native/cmake/toolchains/x86_64-w64-mingw32.cmake)
// Cross builds need a linux-x64 host with those Debian packages. Plain CMake drives every build
// (build/prebuild/<target>/), each result is stripped and checked by check-prebuild.mjs: Linux
// binaries may ask for nothing newer than glibc 2.34 and nothing of libstdc++/libgcc, Windows ones
// for no MinGW runtime DLL.
//
//   GITCAP_PREBUILD_TARGETS=linux-x64,linux-arm64   build only these (default: all three)
//   GITCAP_CPU_VARIANTS="x64;haswell"               ggml CPU variants (only with one target)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPrebuild } from './check-prebuild.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const toolchains = path.join(root, 'native', 'cmake', 'toolchains');

/** What each target needs: its toolchain file (none: the host's compiler) and binutils prefix. */
const targets = {
  'linux-x64': { host: 'linux-x64', toolchain: null, prefix: '' },
  'linux-arm64': { host: 'linux-x64', toolchain: 'aarch64-linux-gnu.cmake', prefix: 'aarch64-linux-gnu-' },
  'win32-x64': { host: 'linux-x64', toolchain: 'x86_64-w64-mingw32.cmake', prefix: 'x86_64-w64-mingw32-' },
};

function fail(message) {
  console.error(`prebuild: ${message}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  console.log(`prebuild: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) fail(`${command}: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} exited with ${result.status ?? result.signal}`);
}

function hasCommand(command) {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

const host = `${process.platform}-${process.arch}`;
const wanted = (process.env.GITCAP_PREBUILD_TARGETS ?? Object.keys(targets).join(',')).split(',').filter(Boolean);
for (const name of wanted) {
  const target = targets[name];
  if (!target) fail(`unknown target '${name}' in GITCAP_PREBUILD_TARGETS (known: ${Object.keys(targets).join(', ')})`);
  if (name !== host && target.host !== host) fail(`${name} is built on ${target.host}, this is ${host}`);
}
if (process.env.GITCAP_CPU_VARIANTS && wanted.length !== 1) {
  fail('GITCAP_CPU_VARIANTS names the variants of one target: set GITCAP_PREBUILD_TARGETS to one too');
}

const generator = hasCommand('ninja') ? ['-G', 'Ninja'] : [];
const jobs = process.env.CMAKE_BUILD_PARALLEL_LEVEL ?? String(os.availableParallelism());

for (const name of wanted) {
  const started = Date.now();
  const target = targets[name];
  const buildDir = path.join(root, 'build', 'prebuild', name);
  const outDir = path.join(buildDir, 'Release');
  const args = [
    '-S', root, '-B', buildDir, ...generator,
    '-DCMAKE_BUILD_TYPE=Release',
    '-DGITCAP_PORTABLE=ON',
    `-DCMAKE_LIBRARY_OUTPUT_DIRECTORY=${outDir}`,
    `-DGITCAP_NODE=${process.execPath}`,
  ];
  if (target.toolchain) args.push(`-DCMAKE_TOOLCHAIN_FILE=${path.join(toolchains, target.toolchain)}`);
  if (process.env.GITCAP_CPU_VARIANTS) args.push(`-DGITCAP_CPU_VARIANTS=${process.env.GITCAP_CPU_VARIANTS}`);
  if (name === 'win32-x64') args.push(...windowsArgs(buildDir, target.prefix));

  fs.rmSync(outDir, { recursive: true, force: true });
  run('cmake', args);
  run('cmake', ['--build', buildDir, '--parallel', jobs]);

  const dest = path.join(root, 'prebuilds', name);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  const binaries = fs.readdirSync(outDir).filter((f) => /\.(node|so|dll)$/.test(f));
  if (!binaries.includes('gitcap.node')) fail(`${name}: the build made no gitcap.node in ${outDir}`);
  for (const file of binaries) {
    fs.copyFileSync(path.join(outDir, file), path.join(dest, file));
    run(`${target.prefix}strip`, ['--strip-unneeded', path.join(dest, file)]);
  }
  const problems = checkPrebuild(dest, name, target.prefix);
  if (problems.length > 0) fail(`${name} is not portable:\n  ${problems.join('\n  ')}`);
  const bytes = binaries.reduce((sum, f) => sum + fs.statSync(path.join(dest, f)).size, 0);
  console.log(
    `prebuild: ${name}: ${binaries.length} files, ${(bytes / 1048576).toFixed(1)} MiB in prebuilds/${name} ` +
      `(${Math.round((Date.now() - started) / 1000)} s)`,
  );
}

/**
 * The Windows addon links against node.exe's Node-API functions: an import library made from
 * node-api-headers' list of them. mingw-w64 10 lacks one declaration ggml uses (compat header).
 */
function windowsArgs(buildDir, prefix) {
  const require = createRequire(import.meta.url);
  const def = path.join(path.dirname(require.resolve('node-api-headers/package.json')), 'def', 'node_api.def');
  const importLib = path.join(buildDir, 'libnode_api.a');
  fs.mkdirSync(buildDir, { recursive: true });
  run(`${prefix}dlltool`, ['-d', def, '-l', importLib, '-D', 'node.exe']);
  const compat = path.join(root, 'native', 'compat', 'mingw_compat.h');
  return [`-DCMAKE_JS_LIB=${importLib}`, `-DCMAKE_C_FLAGS=-include ${compat}`];
}
