// Captions on a busy machine: one model file captioned with 0, 1 and 2 of the machine's cores
// kept busy by spinning child processes, for each thread setting (1, 2 and gitcap's default).
// The configurations alternate round by round (every setting once per round, in a rotating
// order) so that a change in the machine's own load hits them all alike. Prints a Markdown table:
// median and fastest caption per configuration, its ratio to the best setting under the same load,
// and the CPUs that processes other than this one and its spinners used meanwhile.
//
//   node --import tsx bench/contention-run.ts --model <q8_0.gguf> [--rounds 5] [--busy 0,1,2]
//        [--threads 1,2,default] [--tokens 20] [--frames test/fixtures/inputs]
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { GitModel } from '../lib/index.js';
import { othersCpus, sampleCpu } from './contention.js';
import { listFrames } from './frames.js';
import { commaList, positiveInt, requiredModel } from './args.js';
import { median } from './stats.js';

type ThreadSetting = number | 'default';

interface Measurement {
  busy: number;
  threads: ThreadSetting;
  ms: number;
  othersCpus: number | null;
}

/** User + system seconds of process `pid` (Linux), 0 where unknown. */
function processCpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in 1/100 s
  } catch {
    return 0;
  }
}

/** `count` processes that spin until killed: "a core kept busy by another process". */
async function startSpinners(count: number): Promise<ChildProcess[]> {
  const spinners = Array.from({ length: count }, () =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  await sleep(300); // let them start and the scheduler settle
  return spinners;
}

function stopSpinners(spinners: ChildProcess[]): void {
  for (const s of spinners) s.kill('SIGKILL');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      rounds: { type: 'string', default: '5' },
      busy: { type: 'string', default: '0,1,2' },
      threads: { type: 'string', default: '1,2,default' },
      tokens: { type: 'string', default: '20' },
      frames: { type: 'string', default: 'test/fixtures/inputs' },
    },
  });
  const model = requiredModel(values.model);
  const rounds = positiveInt('--rounds', values.rounds);
  const tokens = positiveInt('--tokens', values.tokens);
  const busyCounts = commaList(values.busy).map((s) => Number.parseInt(s, 10));
  const settings = commaList(values.threads).map((s): ThreadSetting => (s === 'default' ? 'default' : positiveInt('--threads', s)));

  const models = new Map<ThreadSetting, GitModel>();
  for (const t of settings) {
    models.set(t, await GitModel.load(model, { backend: 'cpu', ...(t !== 'default' && { threads: t }) }));
  }
  const first = models.values().next().value!;
  const frames = await listFrames(values.frames, first.info.vision.numFrames);
  const options = { minNewTokens: tokens, maxNewTokens: tokens };
  const results: Measurement[] = [];
  try {
    for (const m of models.values()) await m.caption({ frames }, options); // warm-up
    for (let round = 0; round < rounds; round++) {
      for (const busy of busyCounts) {
        const spinners = await startSpinners(busy);
        try {
          // rotate the order so that no setting always runs first after the spinners start
          const order = settings.map((_, i) => settings[(i + round) % settings.length]!);
          for (const t of order) {
            const spinnersBefore = spinners.reduce((s, p) => s + processCpuSeconds(p.pid), 0);
            const before = sampleCpu();
            const t0 = performance.now();
            await models.get(t)!.caption({ frames }, options);
            const ms = performance.now() - t0;
            const spinnersS = spinners.reduce((s, p) => s + processCpuSeconds(p.pid), 0) - spinnersBefore;
            results.push({ busy, threads: t, ms, othersCpus: othersCpus(before, sampleCpu(), spinnersS) });
            process.stderr.write(`round ${round + 1}/${rounds}, ${busy} busy, threads ${t}: ${ms.toFixed(0)} ms\n`);
          }
        } finally {
          stopSpinners(spinners);
        }
      }
    }
  } finally {
    for (const m of models.values()) await m.dispose();
  }
  printTable(results, busyCounts, settings, first.info.quantization, tokens, rounds);
}

function printTable(results: Measurement[], busyCounts: number[], settings: ThreadSetting[], quantization: string, tokens: number,
  rounds: number): void {
  const lines = [
    `${quantization}, ${tokens} new tokens, ${rounds} rounds; times in ms (median, fastest); "vs best": median over the best setting's median under the same load`,
    '',
    '| busy cores | threads | median | fastest | vs best | vs threads 1 | others\' CPUs |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const busy of busyCounts) {
    const row = (t: ThreadSetting) => results.filter((r) => r.busy === busy && r.threads === t);
    const medians = new Map(settings.map((t) => [t, median(row(t).map((r) => r.ms))]));
    const best = Math.min(...medians.values());
    for (const t of settings) {
      const ms = row(t).map((r) => r.ms);
      const others = row(t).map((r) => r.othersCpus).filter((o): o is number => o !== null);
      const one = medians.get(1);
      lines.push(`| ${busy} | ${t} | ${medians.get(t)!.toFixed(0)} | ${Math.min(...ms).toFixed(0)} | ` +
        `${(medians.get(t)! / best).toFixed(2)}x | ${one === undefined ? '-' : `${(medians.get(t)! / one).toFixed(2)}x`} | ` +
        `${others.length > 0 ? median(others).toFixed(2) : '?'} |`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
