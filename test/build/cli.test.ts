import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot } from '../../core/package-info.js';

const root = packageRoot();
const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;

function gitcap(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('gitcap CLI', () => {
  it('info prints versions, backends, devices and CPU features', () => {
    const r = gitcap(['info']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^gitcap +${version.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(r.stdout, /^binary +\S+\.node \((prebuilt, portable|built from source)\)$/m);
    assert.match(r.stdout, /^ggml +\d+\.\d+\.\d+ \([0-9a-f]+\)$/m);
    assert.match(r.stdout, /^Node-API +8 /m);
    assert.match(r.stdout, /^backends +.*CPU/m);
    assert.match(r.stdout, /^devices +CPU \[cpu\] /m);
    assert.match(r.stdout, /^CPU +/m);
    assert.match(r.stdout, /^kernels +(gitcap's (int8|amx|attention)-[a-z0-9]+(, (int8|amx|attention)-[a-z0-9]+)*; ggml's for the rest|ggml's)$/m);
    assert.equal(r.stderr, '');
  });

  it('info --json is the GitcapInfo object', () => {
    const r = gitcap(['info', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const data = JSON.parse(r.stdout) as { version: string; backends: string[]; devices: unknown[]; cpu: { features: string[] } };
    assert.equal(data.version, version);
    assert.ok(data.backends.includes('CPU'));
    assert.ok(data.devices.length >= 1);
    assert.ok(Array.isArray(data.cpu.features));
  });

  it('info with a bad GITCAP_ADDON_PATH exits 1 with the loader message', () => {
    const r = gitcap(['info'], { GITCAP_ADDON_PATH: '/nonexistent/gitcap.node' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^gitcap info: The gitcap native addon could not be loaded/);
    assert.match(r.stderr, /- \/nonexistent\/gitcap\.node: not found/);
  });

  it('--version and -v print the package version', () => {
    for (const flag of ['--version', '-v']) {
      const r = gitcap([flag]);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, `${version}\n`);
    }
  });

  it('--help lists the commands and exits 0', () => {
    const r = gitcap(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: gitcap <command> \[options\]$/m);
    assert.match(r.stdout, /^ {2}info +Show the versions/m);
  });

  it('help <command> prints its usage', () => {
    const r = gitcap(['help', 'info']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: gitcap info \[--json\]$/m);
    assert.equal(gitcap(['info', '--help']).stdout, r.stdout);
  });

  it('an unknown command exits 2 with the usage', () => {
    const r = gitcap(['frobnicate']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^gitcap: unknown command "frobnicate"$/m);
    assert.match(r.stderr, /^Usage: gitcap <command> \[options\]$/m);
    assert.equal(gitcap(['help', 'frobnicate']).code, 2);
  });

  it('no command, or an unknown option, exits 2 with the usage', () => {
    const none = gitcap([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^Usage: gitcap/m);
    const bad = gitcap(['--frobnicate']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^gitcap: Unknown option "--frobnicate"\n/);
  });

  it('a wrong option of a command exits 2', () => {
    const r = gitcap(['info', '--nope']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^gitcap info: Unknown option "--nope"\n/);
    assert.match(r.stderr, /Usage: gitcap info \[--json\]/);
  });
});
