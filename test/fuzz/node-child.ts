// The child process of a Node fuzz loop: mutates seeds and feeds them to one reader, forever.
// Before each run the input is written to <work>/current-input, so that the parent can keep it
// when this process dies; a run that throws anything but a GitcapError, or takes over a second
// (three times in a row), is reported (and kept) at once. Progress goes to the parent as { execs } messages.

import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isGitcapError } from '../../core/errors.js';
import { mutateBytes, mutateJson, randomFrom } from './mutate.js';
import { NODE_TARGETS } from './node-targets.js';

const [targetName, seedDir, work, seedArg] = process.argv.slice(2) as [string, string, string, string?];
const target = NODE_TARGETS[targetName!];
if (!target || !seedDir || !work) throw new Error('usage: node-child.ts <target> <seed dir> <work dir> [random seed]');

const seeds = await Promise.all((await readdir(seedDir)).sort().map((f) => readFile(join(seedDir, f))));
if (seeds.length === 0) throw new Error(`no seeds in ${seedDir}`);
const random = randomFrom(Number(seedArg ?? Date.now()));
const inputFile = join(work, target.fileName);
const current = join(work, 'current-input');
const SLOW_MS = 1000;
process.on('disconnect', () => process.exit(0)); // the parent is gone: never outlive it
process.send!({ ready: true });

async function keep(kind: string, detail: string): Promise<void> {
  const name = `${targetName}-${kind}-${Date.now()}.bin`;
  await copyFile(current, join(work, name));
  process.send!({ finding: { kind, detail, file: name } });
}

/** Runs the reader on the current input; milliseconds taken. */
async function timedRun(): Promise<number> {
  const started = performance.now();
  try {
    await target!.run(inputFile);
  } catch (err) {
    if (!isGitcapError(err)) await keep('untyped', String((err as Error)?.stack ?? err));
  }
  return performance.now() - started;
}

for (let execs = 1; ; execs++) {
  const seed = seeds[Math.floor(random() * seeds.length)]!;
  const other = seeds[Math.floor(random() * seeds.length)]!;
  let input: Buffer;
  try {
    input = target.json && random() < 0.6 ? Buffer.from(mutateJson(random, seed.toString('utf8'))) : mutateBytes(random, seed, other);
  } catch {
    input = seed; // a mutation the mutator itself cannot make (JSON.stringify of a very deep value)
  }
  await writeFile(current, input);
  await writeFile(inputFile, input);
  if ((await timedRun()) > SLOW_MS) {
    // on a busy machine, or with a garbage collection inside, any run can be slow once
    const again = Math.min(await timedRun(), await timedRun());
    if (again > SLOW_MS) await keep('slow', `${again.toFixed(0)} ms`);
  }
  if (execs % 10 === 0) process.send!({ execs });
}
