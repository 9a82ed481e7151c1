// Which prebuild the loader tries on which machine, and what it says where none can run.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isGitcapError } from '../../core/errors.js';
import { addonCandidates, loadAddonFrom } from '../../lib/native/binding.js';
import { hostPlatform, prebuildUnavailableReason, type HostPlatform } from '../../core/platform.js';
import { cpuFlags, expectedKernels } from '../cpu-flags.js';

const glibc = (name: string, version = '2.36'): HostPlatform => ({ name, libc: 'glibc', glibcVersion: version });
const musl: HostPlatform = { name: 'linux-x64', libc: 'musl', glibcVersion: null };

describe('prebuild platforms', () => {
  it('knows this process: its platform folder and, on Linux, its C library', () => {
    const host = hostPlatform();
    assert.equal(host.name, `${process.platform}-${process.arch}`);
    if (process.platform === 'linux') {
      assert.ok(host.libc === 'glibc' || host.libc === 'musl');
      if (host.libc === 'glibc') assert.match(host.glibcVersion ?? '', /^\d+\.\d+/);
    } else {
      assert.equal(host.libc, null);
    }
  });

  it('a prebuild runs on linux-x64, linux-arm64 (glibc 2.34+) and win32-x64', () => {
    assert.equal(prebuildUnavailableReason(glibc('linux-x64')), undefined);
    assert.equal(prebuildUnavailableReason(glibc('linux-arm64', '2.34')), undefined);
    assert.equal(prebuildUnavailableReason({ name: 'win32-x64', libc: null, glibcVersion: null }), undefined);
  });

  it('says why not on musl, an older glibc and other platforms, with what to do', () => {
    assert.match(prebuildUnavailableReason(musl) ?? '', /musl libc \(Alpine\?\).*apk add build-base cmake.*npm rebuild gitcap/);
    assert.match(prebuildUnavailableReason(glibc('linux-x64', '2.28')) ?? '', /glibc 2\.28 is older than the 2\.34/);
    assert.match(prebuildUnavailableReason({ name: 'darwin-arm64', libc: null, glibcVersion: null }) ?? '', /no prebuilt binary for darwin-arm64/);
    assert.match(prebuildUnavailableReason(glibc('linux-ppc64')) ?? '', /no prebuilt binary for linux-ppc64/);
  });

  it('the loader tries only the source build where no prebuild can run, and says why', () => {
    const root = path.join('/nonexistent', 'pkg');
    const source = path.join(root, 'build', 'Release', 'gitcap.node');
    assert.deepEqual(addonCandidates(root, {}, musl), [source]);
    assert.deepEqual(addonCandidates(root, {}, glibc('linux-arm64')), [path.join(root, 'prebuilds', 'linux-arm64', 'gitcap.node'), source]);
    assert.throws(
      () => loadAddonFrom([source], {}, prebuildUnavailableReason(musl)),
      (err: unknown) =>
        isGitcapError(err) && err.code === 'E_NATIVE' && /No prebuilt binary was tried: this system uses musl libc/.test(err.message) &&
        /Alpine: `apk add build-base cmake`/.test(err.message),
    );
  });

  it("an emulated arm64 process does not take the x86 host's /proc/cpuinfo for its own", () => {
    assert.equal(cpuFlags('arm64'), undefined);
    assert.deepEqual(expectedKernels('arm64'), []);
  });
});
