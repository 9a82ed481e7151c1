#!/usr/bin/env node
// prebuildify has no cmake-js backend: `npm run prebuild` hands it this script as its node-gyp
// (`prebuildify --node-gyp ./native/scripts/cmake-js-shim.mjs`). prebuildify runs it as
//   <shim> rebuild --target=<node version> --devdir=<dir> --arch=<arch> --release|--debug
// and then moves build/Release/*.node into prebuilds/<platform>-<arch>/ and copies the shared
// libraries beside it.
//
// This builds the portable layout (GITCAP_PORTABLE: the .node, libggml*.so and one CPU backend
// module per ISA level) in its own folder, build/portable, so that the source build in build/
// keeps its configuration and objects, then stages the result in build/Release for prebuildify:
// the source build's build/Release/gitcap.node is replaced there (prebuildify then moves it to
// prebuilds/, which the loader tries first); `npm run build:native` relinks it.
// --target and --devdir are for node-gyp's headers: Node-API builds need neither.
// GITCAP_CPU_VARIANTS (environment) overrides the CPU variants, e.g. "all".
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

if (args[0] !== 'rebuild') {
  console.error(`cmake-js-shim: expected "rebuild" (as prebuildify runs node-gyp), got: ${args.join(' ')}`);
  process.exit(2);
}
const arch = option('arch');
if (arch !== undefined && arch !== process.arch) {
  console.error(`cmake-js-shim: cannot build for ${arch} on ${process.arch} (no cross-compiling)`);
  process.exit(2);
}
const config = args.includes('--debug') ? 'Debug' : 'Release';

const cmakeJs = createRequire(import.meta.url).resolve('cmake-js/bin/cmake-js');
const outDir = path.join(root, 'build', 'portable');
const cmakeArgs = [cmakeJs, 'compile', '--directory', root, '--out', outDir, '--CDGITCAP_PORTABLE=ON'];
if (config === 'Debug') cmakeArgs.push('--debug');
if (process.env.GITCAP_CPU_VARIANTS) cmakeArgs.push(`--CDGITCAP_CPU_VARIANTS=${process.env.GITCAP_CPU_VARIANTS}`);

const env = { ...process.env };
env.CMAKE_BUILD_PARALLEL_LEVEL ??= String(os.availableParallelism());
console.log(`cmake-js-shim: ${cmakeArgs.slice(1).join(' ')}`);
const run = spawnSync(process.execPath, cmakeArgs, { stdio: 'inherit', env });
if (run.status !== 0) process.exit(run.status ?? 1);

// Stage build/<config> for prebuildify: exactly the portable .node and its libraries.
const built = path.join(outDir, config);
const staged = path.join(root, 'build', config);
const isBinary = (name) => /\.(node|so|dylib|dll)$/.test(name);
fs.mkdirSync(staged, { recursive: true });
for (const name of fs.readdirSync(staged).filter(isBinary)) fs.rmSync(path.join(staged, name));
const copied = fs.readdirSync(built).filter(isBinary);
for (const name of copied) fs.copyFileSync(path.join(built, name), path.join(staged, name));
console.log(`cmake-js-shim: staged ${copied.join(', ')} in ${path.relative(root, staged)}`);
