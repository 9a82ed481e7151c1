// The folders depend one way: core/ (errors, text escaping, the addon loader) on nothing of
// ours, weights-convert/ on core/ only, lib/ on both. A relative import that points the other
// way (a folder-level cycle) fails here.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** May import from (besides itself). */
const ALLOWED: Record<string, string[]> = {
  core: [],
  'weights-convert': ['core'],
};

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|cts|mts)$/.test(f))
    .map((f) => join(ROOT, folder, f));
}

/** The relative specifiers of a file's import and export ... from statements, and dynamic imports. */
function relativeImports(source: string): string[] {
  const specifiers = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return [...new Set(specifiers)];
}

/** The top folder of the repository a specifier in `file` points into. */
function topFolder(file: string, specifier: string): string {
  return relative(ROOT, resolve(dirname(file), specifier)).split(sep)[0]!;
}

describe('folder dependencies', () => {
  it('finds imports in every form the code uses', () => {
    const found = relativeImports(
      "import { a } from './a.js';\nimport type { B } from '../b.js';\nexport { c } from \"./c.js\";\nawait import('../d.js');\nimport './e.js';",
    );
    assert.deepEqual(found, ['./a.js', '../b.js', './c.js', '../d.js', './e.js']);
  });

  for (const [folder, allowed] of Object.entries(ALLOWED)) {
    it(`${folder}/ imports only from ${allowed.length === 0 ? 'itself' : `itself and ${allowed.join(', ')}/`}`, () => {
      const files = sourceFiles(folder);
      assert.ok(files.length > 0, `no sources in ${folder}/`);
      const wrong: string[] = [];
      for (const file of files) {
        for (const specifier of relativeImports(readFileSync(file, 'utf8'))) {
          const target = topFolder(file, specifier);
          if (target !== folder && !allowed.includes(target)) wrong.push(`${relative(ROOT, file)} imports ${specifier}`);
        }
      }
      assert.deepEqual(wrong, []);
    });
  }
});
