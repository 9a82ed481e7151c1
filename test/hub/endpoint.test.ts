import './loopback-guard.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  isOfflineMode,
  resolveEndpoint,
  resolveToken,
  resolveUrl,
  validateRepoId,
  validateRevision,
} from '../../lib/hub/endpoint.js';
import { defaultCacheDir, resolveCacheDir } from '../../lib/hub/cache.js';
import { checksumFromEtag, normalizeEtag } from '../../lib/hub/verify.js';
import { validateQuantization } from '../../lib/hub/quantization.js';

describe('hub endpoint', () => {
  it('uses the endpoint option, then HF_ENDPOINT, then huggingface.co', () => {
    assert.equal(resolveEndpoint(undefined, {}), 'https://huggingface.co');
    assert.equal(resolveEndpoint(undefined, { HF_ENDPOINT: 'https://hf-mirror.com/' }), 'https://hf-mirror.com');
    assert.equal(resolveEndpoint('http://127.0.0.1:8080', { HF_ENDPOINT: 'https://x.org' }), 'http://127.0.0.1:8080');
    assert.throws(() => resolveEndpoint(undefined, { HF_ENDPOINT: 'ftp://x' }), {
      code: 'E_INVALID_ARG',
      message: 'Expected an http(s) URL for HF_ENDPOINT but received "ftp://x"',
    });
    assert.throws(() => resolveEndpoint('not a url', {}), {
      code: 'E_INVALID_ARG',
      message: 'Expected an http(s) URL for endpoint but received "not a url"',
    });
  });

  it('builds resolve URLs with the revision as one path segment', () => {
    assert.equal(
      resolveUrl('https://huggingface.co', 'microsoft/git-base-vatex', 'refs/pr/1', 'config.json'),
      'https://huggingface.co/microsoft/git-base-vatex/resolve/refs%2Fpr%2F1/config.json',
    );
  });

  it('takes the token option, else HF_TOKEN', () => {
    assert.equal(resolveToken(undefined, {}), undefined);
    assert.equal(resolveToken(undefined, { HF_TOKEN: 'hf_env' }), 'hf_env');
    assert.equal(resolveToken('hf_opt', { HF_TOKEN: 'hf_env' }), 'hf_opt');
    assert.equal(resolveToken('', { HF_TOKEN: '' }), undefined);
  });

  it('reads HF_HUB_OFFLINE like huggingface_hub', () => {
    for (const value of ['1', 'ON', 'yes', 'True']) assert.equal(isOfflineMode({ HF_HUB_OFFLINE: value }), true);
    for (const value of [undefined, '', '0', 'off']) assert.equal(isOfflineMode({ HF_HUB_OFFLINE: value }), false);
  });

  it('validates repository ids, revisions and quantizations', () => {
    validateRepoId('microsoft/git-base-vatex');
    validateRepoId('gpt2');
    for (const bad of ['', 'a/b/c', '../x', 'a--b/c', 'owner/', 42]) {
      assert.throws(() => validateRepoId(bad), {
        code: 'E_INVALID_ARG',
        message: `Expected a Hugging Face repository id like "microsoft/git-base-vatex" but received ${JSON.stringify(bad)}`,
      });
    }
    validateRevision('v1.0');
    assert.throws(() => validateRevision('a b'), {
      code: 'E_INVALID_ARG',
      message: 'Expected a branch, tag or commit for revision but received "a b"',
    });
    assert.throws(() => validateQuantization('q3_K'), {
      code: 'E_INVALID_ARG',
      message: 'Expected one of f32, f16, q4_0, q4_1, q5_0, q5_1, q8_0, q4_K, q5_K, q6_K for quantization but received "q3_K"',
    });
  });
});

describe('cache folder', () => {
  const home = '/home/u';
  it('follows each platform and GITCAP_CACHE', () => {
    assert.equal(defaultCacheDir({}, 'linux', home), '/home/u/.cache/gitcap');
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/xdg' }, 'linux', home), '/xdg/gitcap');
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: 'relative' }, 'linux', home), '/home/u/.cache/gitcap');
    assert.equal(defaultCacheDir({}, 'darwin', home), '/home/u/Library/Caches/gitcap');
    assert.equal(defaultCacheDir({ LOCALAPPDATA: 'C:/Users/u/AppData/Local' }, 'win32', home), join('C:/Users/u/AppData/Local', 'gitcap', 'Cache'));
    assert.equal(defaultCacheDir({ GITCAP_CACHE: '/data/models', XDG_CACHE_HOME: '/xdg' }, 'linux', home), '/data/models');
  });

  it('rejects an empty cacheDir', () => {
    assert.throws(() => resolveCacheDir(''), {
      code: 'E_INVALID_ARG',
      message: 'Expected a directory path for cacheDir but received ""',
    });
  });
});

describe('ETag checksums', () => {
  it('strips the weak prefix and quotes', () => {
    assert.equal(normalizeEtag('W/"abc"'), 'abc');
    assert.equal(normalizeEtag('"abc"'), 'abc');
    assert.equal(normalizeEtag(undefined), undefined);
  });

  it('checks sha256 for LFS files, the git blob id for small ones, nothing for other ETags', () => {
    const sha256 = 'A'.repeat(64);
    assert.deepEqual(checksumFromEtag(sha256, 10), { algorithm: 'sha256', expected: 'a'.repeat(64) });
    assert.deepEqual(checksumFromEtag('b'.repeat(40), 10), { algorithm: 'git-sha1', expected: 'b'.repeat(40) });
    assert.equal(checksumFromEtag('b'.repeat(40), undefined), undefined);
    assert.equal(checksumFromEtag('5f3a-1b2c', 10), undefined);
  });
});
