// A redis-server of the tests' own: a free loopback port, a temporary folder, append-only file on
// (so that a stop and restart keeps the queue). Never a system service.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface TestRedis {
  url: string;
  port: number;
  /** Stops the server (SIGTERM: it writes its append-only file first). */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  remove(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    let answer = '';
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      answer += d.toString();
      if (answer.includes('\r\n')) {
        socket.destroy();
        resolve(answer.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Why the queue tests cannot run here, or undefined. Without redis-server they are skipped on a
 * developer's machine and fail in CI (which installs it).
 */
export function redisMissing(): string | undefined {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (found.status === 0) return undefined;
  const reason = 'redis-server is not installed (apt-get install redis-server)';
  if (process.env.CI) throw new Error(reason);
  return reason;
}

export async function startRedis(): Promise<TestRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'gitcap-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--protected-mode', 'yes'];
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    const failed = new Promise<never>((_, reject) => proc.once('error', reject));
    failed.catch(() => {});
    for (let i = 0; i < 200; i++) {
      if (await Promise.race([ping(port), failed])) return;
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}`);
      await sleep(50);
    }
    throw new Error(`redis-server did not answer on port ${port}`);
  };
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    child = undefined;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    async remove() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
