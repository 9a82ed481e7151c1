// Child process for lock.test.ts: takes the lock, logs start/end around a short hold.
import './loopback-guard.js';
import { appendFile } from 'node:fs/promises';
import { acquireLock } from '../../lib/hub/lock.js';

const [lockPath, logPath, holdMs] = process.argv.slice(2) as [string, string, string];
const lock = await acquireLock(lockPath, { onWait: () => process.stdout.write('waiting\n') });
await appendFile(logPath, `start ${process.pid}\n`);
await new Promise((resolve) => setTimeout(resolve, Number(holdMs)));
await appendFile(logPath, `end ${process.pid}\n`);
await lock.release();
