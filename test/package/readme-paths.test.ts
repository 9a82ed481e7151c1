// README.md names no path outside the repository, and every file it links to exists in it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
// A parent folder, or an absolute path into a workspace or a home folder.
const OUTSIDE = /(^|[\s(`'"=])(\.\.\/|\/work\/|\/home\/|\/root\/|\/Users\/)|\bshared\/reference\b/;

it('names no path outside the repository', () => {
  const offending: string[] = [];
  readme.split('\n').forEach((line, i) => {
    if (OUTSIDE.test(line)) offending.push(`README.md:${i + 1}: ${line.trim()}`);
  });
  assert.deepEqual(offending, []);
});

it('links only to files that exist in the repository', () => {
  const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^(https?:|#|mailto:)/.test(t));
  assert.ok(links.length > 0);
  for (const target of links) assert.ok(existsSync(join(ROOT, target.split('#')[0]!)), `README.md links to ${target}, which is not in the repository`);
});
