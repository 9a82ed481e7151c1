// A Node fuzz loop: runs node-child.ts on one reader for the given time, restarting it when it
// dies, and keeps every input that crashed the process, hung it, threw an untyped error or ran
// slowly in <findings dir>. Prints the execution count; exits 1 on any finding.
// Usage: node --import tsx test/fuzz/node-fuzz.ts <target> <seconds> <seed dir> <findings dir>

import { fork } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE_TARGETS } from './node-targets.js';

const [target, secondsArg, seedDir, findingsDir] = process.argv.slice(2);
const seconds = Number(secondsArg);
if (!target || !(target in NODE_TARGETS) || !(seconds > 0) || !seedDir || !findingsDir) {
  console.error(`usage: node-fuzz.ts <${Object.keys(NODE_TARGETS).join('|')}> <seconds> <seed dir> <findings dir>`);
  process.exit(2);
}
/** No progress message for this long: the reader hangs on the current input. */
const HANG_MS = 60_000;

await mkdir(findingsDir, { recursive: true });
const deadline = Date.now() + seconds * 1000;
let execs = 0;
let findings = 0;

// GITCAP_FUZZ_SEED repeats a run's mutations (CI); by default every run explores anew
const firstSeed = process.env.GITCAP_FUZZ_SEED ? Number(process.env.GITCAP_FUZZ_SEED) : Date.now();

async function runChild(round: number): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), `gitcap-fuzz-${target}-`));
  const child = fork(join(import.meta.dirname, 'node-child.ts'), [target!, seedDir!, work, String(firstSeed + round)], {
    execArgv: ['--import', 'tsx', '--max-old-space-size=1024'],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let childExecs = 0;
  let lastProgress = Date.now();
  let ready = false; // starting a child (tsx compiling the readers) takes seconds on a busy machine
  let hung = false;
  const saved: Promise<void>[] = [];
  child.on('message', (m: { ready?: boolean; execs?: number; finding?: { kind: string; detail: string; file: string } }) => {
    lastProgress = Date.now();
    if (m.ready) ready = true;
    if (m.execs) childExecs = m.execs;
    if (m.finding) {
      findings++;
      console.log(`FINDING ${target} ${m.finding.kind}: ${m.finding.detail.split('\n').slice(0, 6).join('\n  ')}`);
      saved.push(copyFile(join(work, m.finding.file), join(findingsDir!, m.finding.file)));
    }
  });
  const timer = setInterval(() => {
    if (Date.now() >= deadline) child.kill('SIGKILL');
    else if (ready && Date.now() - lastProgress > HANG_MS) {
      hung = true;
      child.kill('SIGKILL');
    }
  }, 250);
  const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (c, s) => resolve({ code: c, signal: s })),
  );
  clearInterval(timer);
  await Promise.all(saved);
  execs += childExecs;
  const died = hung || Date.now() < deadline;
  if (died) {
    findings++;
    const name = `${target}-${hung ? 'hang' : 'crash'}-${Date.now()}.bin`;
    await copyFile(join(work, 'current-input'), join(findingsDir!, name)).catch(() => undefined);
    console.log(`FINDING ${target} ${hung ? 'hang' : `crash (exit ${code ?? signal})`}: ${name}\n${stderr.slice(-1500)}`);
  }
  await rm(work, { recursive: true, force: true });
}

for (let round = 0; Date.now() < deadline; round++) await runChild(round);
console.log(`${target}: ${execs} executions in ${seconds} s, ${findings} finding(s)`);
process.exit(findings > 0 ? 1 : 0);
