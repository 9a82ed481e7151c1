import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSession, type HubSession } from '../../lib/hub/http.js';
import type { RetryPolicy } from '../../lib/hub/retry.js';
import type { MockRepoSpec } from './mock-hub.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const VATEX_DIR = join(FIXTURES, 'tiny-vatex');
export const IMAGE_DIR = join(FIXTURES, 'tiny-image');

/** The files of a GIT repo on the hub (the fixtures also hold extra weight variants). */
export const VATEX_FILES = [
  'config.json',
  'generation_config.json',
  'model.safetensors',
  'preprocessor_config.json',
  'special_tokens_map.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'vocab.txt',
];

export const vatexRepo = (id = 'test/tiny-vatex'): MockRepoSpec => ({ id, dir: VATEX_DIR, files: VATEX_FILES });

/** Retries without waiting long, so fault tests stay fast. */
export const FAST_RETRY: RetryPolicy = { retries: 2, baseDelayMs: 5, maxDelayMs: 20 };

export async function tempDir(prefix = 'gitcap-hub-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export function testSession(endpoint: string, repoId: string, extra: Partial<HubSession> = {}): HubSession {
  return openSession({
    endpoint,
    repoId,
    revision: 'main',
    token: undefined,
    signal: undefined,
    retry: FAST_RETRY,
    ...extra,
  });
}
