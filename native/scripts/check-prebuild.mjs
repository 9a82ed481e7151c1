#!/usr/bin/env node
// Checks that a prebuild folder runs on any machine of its platform, from what its binaries ask
// the dynamic loader for (binutils' objdump for that target):
//   Linux    symbol versions no newer than glibc 2.34 (RHEL 9, Amazon Linux 2023, Debian 12,
//            Ubuntu 22.04) and none of libstdc++ (GLIBCXX_, CXXABI_), which is linked in; only the
//            C library's own shared objects, libgcc_s.so.1 (GCC 4.2's unwinder interface) and
//            ggml's libraries beside it.
//   Windows  only system DLLs, node.exe and ggml's DLLs beside it: no MinGW runtime DLL.
//
//   node native/scripts/check-prebuild.mjs prebuilds/linux-arm64 linux-arm64 [objdump prefix]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// objdump -p of a Windows DLL lists every export: megabytes for ggml's
const OBJDUMP_MAX_OUTPUT = 256 * 1024 * 1024;
import { fileURLToPath } from 'node:url';

export const GLIBC_FLOOR = '2.34';
/** libgcc_s.so.1's unwinder (every glibc system has one); GCC 4.2's interface is all it needs. */
const GCC_FLOOR = '4.2.0';
const linuxLibraries = /^(libc\.so\.6|libgcc_s\.so\.1|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|ld-linux[-\w.]*\.so\.\d|libggml[-\w.]*\.so)$/;
const windowsLibraries = /^(kernel32|msvcrt|advapi32|node|(lib)?ggml[-\w.]*)\.(dll|exe)$/i;

const newer = (a, b) => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  }
  return false;
};

/** The problems of the binaries in `dir` for `target` ("linux-x64", ...); empty when portable. */
export function checkPrebuild(dir, target, prefix = '') {
  const problems = [];
  const files = fs.readdirSync(dir).filter((f) => /\.(node|so|dll)$/.test(f));
  if (files.length === 0) problems.push(`${dir}: no binaries`);
  for (const file of files) {
    const full = path.join(dir, file);
    if (target.startsWith('linux-')) {
      const versions = new Set(execFileSync(`${prefix}objdump`, ['-T', full], { encoding: 'utf8', maxBuffer: OBJDUMP_MAX_OUTPUT }).match(/\b[A-Z]+_[0-9][0-9.]*\b/g));
      for (const v of versions) {
        const [lib, version] = v.split('_');
        if (lib === 'GLIBC' && newer(version, GLIBC_FLOOR)) problems.push(`${file} needs ${v} (floor: glibc ${GLIBC_FLOOR})`);
        if (lib === 'GLIBCXX' || lib === 'CXXABI') problems.push(`${file} needs ${v}`);
        if (lib === 'GCC' && newer(version, GCC_FLOOR)) problems.push(`${file} needs ${v} (floor: libgcc_s ${GCC_FLOOR})`);
      }
      const needed = [...execFileSync(`${prefix}objdump`, ['-p', full], { encoding: 'utf8', maxBuffer: OBJDUMP_MAX_OUTPUT }).matchAll(/^\s*NEEDED\s+(\S+)/gm)];
      for (const [, lib] of needed) if (!linuxLibraries.test(lib)) problems.push(`${file} needs ${lib}`);
    } else {
      const imports = [...execFileSync(`${prefix}objdump`, ['-p', full], { encoding: 'utf8', maxBuffer: OBJDUMP_MAX_OUTPUT }).matchAll(/DLL Name: (\S+)/g)];
      for (const [, lib] of imports) if (!windowsLibraries.test(lib)) problems.push(`${file} imports ${lib}`);
    }
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir, target, prefix] = process.argv.slice(2);
  if (!dir || !target) {
    console.error('usage: check-prebuild.mjs <folder> <platform-arch> [objdump prefix]');
    process.exit(2);
  }
  const problems = checkPrebuild(dir, target, prefix);
  for (const p of problems) console.error(`check-prebuild: ${p}`);
  if (problems.length === 0) console.log(`check-prebuild: ${dir} (${target}) is portable`);
  process.exit(problems.length === 0 ? 0 : 1);
}
