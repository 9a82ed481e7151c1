import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Child {
  process: ChildProcess;
  /** Resolves once the child printed `line` on stdout. */
  printed(line: string): Promise<void>;
  exit: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Runs a TypeScript file of this folder in a fresh node process. */
export function runChild(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): Child {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { line: string; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (data: string) => {
    stdout += data;
    for (const w of waiters) if (stdout.split('\n').includes(w.line)) w.resolve();
  });
  child.stderr.setEncoding('utf8').on('data', (data: string) => (stderr += data));
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return {
    process: child,
    exit,
    printed: (line) =>
      new Promise<void>((resolve, reject) => {
        if (stdout.split('\n').includes(line)) return resolve();
        waiters.push({ line, resolve });
        void exit.then(({ code }) => reject(new Error(`child exited (${code}) before printing "${line}": ${stderr}`)));
      }),
  };
}
