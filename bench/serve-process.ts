// A `gitcap serve` child process on a free loopback port, so that its memory is measured alone
// (the benchmark's clients live in another process).
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../lib/cli/main.ts', import.meta.url));

export interface ServeProcess {
  url: string;
  /** Resident memory now (VmRSS) and at its peak so far (VmHWM), MiB. */
  memory(): Promise<{ rssMiB: number; peakMiB: number }>;
  stop(): Promise<void>;
}

export async function startServeProcess(model: string, extraArgs: string[] = []): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--model', model, '--port', '0', '--quiet', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const found = /ready at (http:\/\/\S+)/.exec(out);
      if (found) resolve(found[1]!);
    });
    child.once('exit', (code) => reject(new Error(`gitcap serve exited with ${code} before it was ready: ${out}`)));
  });
  const statusKiB = (status: string, key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return {
    url,
    async memory() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      return { rssMiB: statusKiB(status, 'VmRSS') / 1024, peakMiB: statusKiB(status, 'VmHWM') / 1024 };
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
