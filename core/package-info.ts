import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;
let version: string | undefined;

/**
 * The folder of gitcap's package.json: the first folder above this file whose package.json is
 * gitcap's (one above core/ in a checkout run through tsx, two above dist/core/ when compiled).
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file) && readPackageJson(file).name === 'gitcap') return (root = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`gitcap: no package.json of gitcap above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The package's version, from its package.json. */
export function packageVersion(): string {
  version ??= String(readPackageJson(path.join(packageRoot(), 'package.json')).version);
  return version;
}

function readPackageJson(file: string): { name?: unknown; version?: unknown } {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
}
