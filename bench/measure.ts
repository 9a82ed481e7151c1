// Runs one configuration in a fresh child process (bench/one-run.ts) and reads its JSON line.
// The child runs compiled JavaScript, as the published package does: no TypeScript loader in its
// memory or start-up (compileBench() emits it to build/bench-js with tsconfig.bench.json).
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GitcapError } from '../core/errors.js';
import type { OneRunResult } from './run-result.js';

export interface OneRunRequest {
  model: string;
  threads: number;
  runs: number;
  tokens: number;
  frames: string;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ONE_RUN = fileURLToPath(new URL('../build/bench-js/bench/one-run.js', import.meta.url));

/** Compiles bench/, lib/ and weights-convert/ to build/bench-js (a few seconds). */
export function compileBench(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.bench.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

export function measureInChild(req: OneRunRequest): Promise<OneRunResult> {
  const args = [ONE_RUN, '--model', req.model, '--threads', String(req.threads), '--runs', String(req.runs),
    '--tokens', String(req.tokens), '--frames', req.frames];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new GitcapError('E_BACKEND', `bench/one-run.js ${args.slice(1).join(' ')} failed (${signal ?? `exit code ${code}`})`));
        return;
      }
      resolve(JSON.parse(line) as OneRunResult);
    });
  });
}
