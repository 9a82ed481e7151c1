import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KEY, TN } from '../../weights-convert/gguf-names.js';

const ARCH_H = join(import.meta.dirname, '..', '..', 'native', 'src', 'model', 'git_arch.h');

async function defines(prefix: string): Promise<Map<string, string>> {
  const text = await readFile(ARCH_H, 'utf8');
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^#define\s+(\w+)\s+"([^"]+)"/gm)) {
    if (m[1]!.startsWith(prefix)) out.set(m[1]!.slice(prefix.length), m[2]!);
  }
  return out;
}

describe('gguf-names.ts mirrors native/src/model/git_arch.h', () => {
  it('has every KEY_* with the same name and string, and no other', async () => {
    const header = await defines('KEY_');
    assert.ok(header.size > 50);
    assert.deepEqual(new Map(Object.entries(KEY)), header);
  });

  it('has every TN_* template with the same expansion', async () => {
    const header = await defines('TN_');
    const expand = (template: string, il: number, suffix: string) =>
      template.replace('%d', String(il)).replace('%s', suffix);
    const camel = (name: string) => name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const seen = new Set<string>();
    for (const [name, template] of header) {
      const constant = (TN as Record<string, unknown>)[name];
      const fn = (TN as Record<string, unknown>)[camel(name)];
      if (typeof constant === 'string') {
        assert.equal(constant, template, name);
        seen.add(name);
      } else {
        assert.equal(typeof fn, 'function', `TN.${camel(name)} for TN_${name}`);
        const f = fn as (...args: unknown[]) => string;
        const hasLayer = template.includes('%d');
        const hasSuffix = template.includes('%s');
        const got = hasLayer && hasSuffix ? f(7, 'bias') : hasLayer ? f(7) : f('bias');
        assert.equal(got, expand(template, 7, 'bias'), name);
        seen.add(camel(name));
      }
    }
    assert.deepEqual(new Set(Object.keys(TN)), seen);
  });
});
