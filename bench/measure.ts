// Runs one configuration in a fresh child process (bench/one-run.ts) and reads its JSON line.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GitcapError } from '../lib/errors.js';
import type { OneRunResult } from './run-result.js';

export interface OneRunRequest {
  model: string;
  threads: number;
  runs: number;
  tokens: number;
  frames: string;
}

const ONE_RUN = fileURLToPath(new URL('./one-run.ts', import.meta.url));

export function measureInChild(req: OneRunRequest): Promise<OneRunResult> {
  const args = ['--import', 'tsx', ONE_RUN, '--model', req.model, '--threads', String(req.threads), '--runs', String(req.runs),
    '--tokens', String(req.tokens), '--frames', req.frames];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new GitcapError('E_BACKEND', `bench/one-run.ts ${args.slice(3).join(' ')} failed (${signal ?? `exit code ${code}`})`));
        return;
      }
      resolve(JSON.parse(line) as OneRunResult);
    });
  });
}
