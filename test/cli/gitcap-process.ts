// Runs `gitcap` (lib/cli/main.ts through tsx) in a child process, as a user would. The child
// inherits GITCAP_ADDON_PATH, is offline (HF_HUB_OFFLINE=1) unless a test says otherwise, sees an
// empty Hugging Face cache, and
// loads the test network guard: no connection can leave the loopback interface.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../lib/cli/main.ts', import.meta.url));
const GUARD = new URL('../hub/loopback-guard.ts', import.meta.url).href;

export interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface GitcapChild {
  process: ChildProcess;
  /** Resolves once stdout has received something. */
  firstOutput: Promise<void>;
  exit: Promise<Exit>;
}

/** The children's Hugging Face cache: a folder that does not exist. */
export const NO_HF_CACHE = join(tmpdir(), 'gitcap-test-no-hf-cache');

/** The environment of every child: the caller's, without hub settings or proxies, offline. */
function childEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HF_HUB_OFFLINE: '1' };
  for (const key of Object.keys(env)) {
    if (/^(HF_|HUGGINGFACE_|HTTPS?_PROXY$|NO_PROXY$|GITCAP_CACHE$|GITCAP_USE_HF_CACHE$)/i.test(key) && key !== 'HF_HUB_OFFLINE') delete env[key];
  }
  // Never the Hugging Face cache of the machine running the tests.
  env.HF_HUB_CACHE = NO_HF_CACHE;
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export function startGitcap(args: string[], env: Record<string, string | undefined> = {}): GitcapChild {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', GUARD, MAIN, ...args], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let outputSeen: () => void = () => {};
  const firstOutput = new Promise<void>((resolve) => (outputSeen = resolve));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    outputSeen();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exit = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { process: child, firstOutput, exit };
}

export function gitcap(args: string[], env: Record<string, string | undefined> = {}): Promise<Exit> {
  return startGitcap(args, env).exit;
}

export async function tempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'gitcap-cli-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
