import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isGitcapError } from '../../core/errors.js';
import { addonCandidates, getAddon, loadAddonFrom } from '../../lib/native/binding.js';
import { packageRoot } from '../../core/package-info.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gitcap-loader-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('addon loader', () => {
  it('looks in prebuilds/<platform>-<arch>/ (gitcap.node first), then build/Release', () => {
    const root = path.join(tmp, 'pkg');
    const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
    fs.mkdirSync(dir, { recursive: true });
    for (const name of ['aaa.node', 'gitcap.node', 'libggml.so']) fs.writeFileSync(path.join(dir, name), '');
    assert.deepEqual(addonCandidates(root, {}), [
      path.join(dir, 'gitcap.node'),
      path.join(dir, 'aaa.node'),
      path.join(root, 'build', 'Release', 'gitcap.node'),
    ]);
    const bare = path.join(tmp, 'bare');
    assert.deepEqual(addonCandidates(bare, {}), [
      path.join(bare, 'prebuilds', `${process.platform}-${process.arch}`, 'gitcap.node'),
      path.join(bare, 'build', 'Release', 'gitcap.node'),
    ]);
  });

  it('GITCAP_ADDON_PATH replaces every other candidate', () => {
    assert.deepEqual(addonCandidates(tmp, { GITCAP_ADDON_PATH: 'x/y.node' }), [path.resolve('x/y.node')]);
  });

  it('lists every failed attempt in one E_NATIVE error that says what to do', () => {
    const missing = path.join(tmp, 'missing', 'gitcap.node');
    const garbage = path.join(tmp, 'garbage.node');
    fs.writeFileSync(garbage, 'not a shared object');
    assert.throws(
      () => loadAddonFrom([missing, garbage], {}),
      (err: unknown) => {
        assert.ok(isGitcapError(err, 'E_NATIVE'), String(err));
        const lines = err.message.split('\n');
        assert.match(lines[0]!, new RegExp(`^The gitcap native addon could not be loaded \\(${process.platform}-${process.arch}, Node\\.js v[\\d.]+, Node-API \\d+\\)\\. Tried:$`));
        assert.equal(lines[1], `  - ${missing}: not found`);
        assert.ok(lines[2]!.startsWith(`  - ${garbage}: `), lines[2]);
        assert.ok(lines[2]!.length > `  - ${garbage}: `.length, 'the dlopen error is given');
        assert.match(err.message, /install a C\+\+17 compiler and CMake/);
        assert.match(err.message, /`npm rebuild gitcap`/);
        assert.match(err.message, /report the line above/);
        return true;
      },
    );
  });

  it('with GITCAP_ADDON_PATH, the error says that only that file was tried', () => {
    const missing = path.join(tmp, 'nope.node');
    assert.throws(
      () => loadAddonFrom([missing], { GITCAP_ADDON_PATH: missing }),
      (err: unknown) => {
        assert.ok(isGitcapError(err, 'E_NATIVE'));
        assert.match(err.message, /GITCAP_ADDON_PATH is set, so only that file was tried: unset it/);
        assert.doesNotMatch(err.message, /npm rebuild/);
        return true;
      },
    );
  });

  it('a bad GITCAP_ADDON_PATH makes the public API throw E_NATIVE (fresh process)', () => {
    const bad = path.join(tmp, 'does-not-exist.node');
    const script = `
      import { info, isGitcapError } from './lib/index.ts';
      try { info(); console.log('loaded'); }
      catch (err) { console.log(JSON.stringify({ code: isGitcapError(err) ? err.code : null, message: err.message })); }`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: packageRoot(),
      env: { ...process.env, GITCAP_ADDON_PATH: bad },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { code: string; message: string };
    assert.equal(out.code, 'E_NATIVE');
    assert.match(out.message, new RegExp(`- ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not found`));
  });

  it('loads once and caches the addon', () => {
    assert.equal(getAddon(), getAddon());
  });
});
