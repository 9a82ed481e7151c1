// Captions per segment of a long video against single captions one after the other, on the
// full-size git-base-vatex architecture (q8_0, seeded random weights, see bench/models.ts).
//
//   node --import tsx bench/segments.ts [--minutes 10] [--segment 10] [--threads 2]
//     [--concurrency 1,2,4] [--model-dir /tmp/git-base-vatex-random] [--cache /tmp/gitcap-bench]
//     [--json segments.json]
//
// Writes a 720p 25 fps H.264 video of `--minutes` (lavfi testsrc2, a keyframe every 2 s, as
// streaming encoders place them) into the cache folder once. Each configuration runs in a fresh
// process (this file with --child), so that one's memory does not count in another's: load,
// one warm-up caption, then the timed work.
// - singles: one model.caption({ video }) per segment, one after the other, each sampling the
//   same frames as the segment (sampling by timestamps), so the captions must be identical;
// - segments: model.captionSegments at each --concurrency;
// - one: a single caption, the peak RSS that the others are compared with.
// "reading" is the time spent reading frames (ffprobe + ffmpeg, summed over the reads, which
// overlap the captioning in segments mode); "ffmpeg CPU" is what the ffmpeg children used.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { GitModel } from '../lib/index.js';
import { findFfmpegTools } from '../lib/inputs/ffmpeg.js';
import { VideoSource } from '../lib/inputs/video-source.js';
import { segmentFrameIndices, segmentWindows } from '../lib/segments/segment-frames.js';
import { othersCpus, sampleCpu } from './contention.js';
import { describeMachine, formatMachine } from './machine.js';
import { ensureGguf } from './models.js';

interface ChildResult {
  mode: string;
  concurrency: number;
  segments: number;
  wallS: number;
  readS: number;
  ffmpegCpuS: number;
  peakRssMiB: number;
  baseRssMiB: number;
  othersCpus: number | null;
  texts: string[];
}

const { values } = parseArgs({
  options: {
    child: { type: 'string' },
    model: { type: 'string' },
    video: { type: 'string' },
    minutes: { type: 'string', default: '10' },
    segment: { type: 'string', default: '10' },
    threads: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '1,2,4' },
    'model-dir': { type: 'string', default: '/tmp/git-base-vatex-random' },
    cache: { type: 'string', default: '/tmp/gitcap-bench' },
    json: { type: 'string' },
  },
});

/** CPU seconds of this process's finished children (/proc/self/stat cutime + cstime). */
function childrenCpuS(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
}

async function runChild(mode: string): Promise<ChildResult> {
  const baseRssMiB = process.resourceUsage().maxRSS / 1024;
  const video = values.video!;
  const segmentSeconds = Number(values.segment);
  const concurrency = Number(values.concurrency);
  const model = await GitModel.load(values.model!, { threads: Number(values.threads) });
  // The frames each segment takes, as timestamps, for the single captions (not timed).
  const source = await VideoSource.open(video);
  const bounds = segmentWindows(source.timeline, segmentSeconds);
  const numFrames = model.info.vision.numFrames;
  const times = bounds.map((b) => segmentFrameIndices(source.timeline, b, numFrames).map((i) => source.timeline.times[i]!));
  const single = (k: number) => model.caption({ video }, { sampling: { kind: 'timestamps', timestamps: times[k]! } });
  await single(0); // warm-up

  const cpu0 = sampleCpu();
  const ffmpeg0 = childrenCpuS();
  const texts: string[] = [];
  let readMs = 0;
  if (mode === 'segments') {
    for await (const s of model.captionSegments({ video }, { segmentSeconds, concurrency })) {
      texts.push(s.text);
      readMs += s.timings.readMs;
    }
  } else {
    const count = mode === 'one' ? 1 : bounds.length;
    for (let k = 0; k < count; k++) {
      const r = await single(k);
      texts.push(r.text);
      readMs += r.timings.readMs;
    }
  }
  const cpu1 = sampleCpu();
  const ffmpegCpuS = childrenCpuS() - ffmpeg0;
  await model.dispose();
  return {
    mode,
    concurrency: mode === 'segments' ? concurrency : 1,
    segments: texts.length,
    wallS: (cpu1.wallMs - cpu0.wallMs) / 1000,
    readS: readMs / 1000,
    ffmpegCpuS,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    baseRssMiB,
    othersCpus: othersCpus(cpu0, cpu1, ffmpegCpuS),
    texts,
  };
}

function measure(mode: string, model: string, video: string, concurrency: number): Promise<ChildResult> {
  const self = fileURLToPath(import.meta.url);
  const args = ['--import', 'tsx', self, '--child', mode, '--model', model, '--video', video, '--segment', values.segment!,
    '--threads', values.threads!, '--concurrency', String(concurrency)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`bench/segments.ts --child ${mode} failed (exit ${code})`));
      else resolve(JSON.parse(line) as ChildResult);
    });
  });
}

/** The long test video, encoded once into the cache folder. */
async function ensureVideo(cache: string, minutes: number): Promise<string> {
  const out = join(cache, `testsrc2-720p-${minutes}min.mp4`);
  if (existsSync(out)) return out;
  const { ffmpeg } = await findFfmpegTools();
  console.error(`encoding ${out} (${minutes} min of 1280x720 at 25 fps)`);
  execFileSync(ffmpeg, [
    '-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=s=1280x720:r=25:d=${minutes * 60}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-g', '50', '-pix_fmt', 'yuv420p', `${out}.part.mp4`,
  ]);
  execFileSync('mv', [`${out}.part.mp4`, out]);
  return out;
}

async function main(): Promise<void> {
  if (values.child !== undefined) {
    process.stdout.write(`${JSON.stringify(await runChild(values.child))}\n`);
    return;
  }
  const cache = values.cache!;
  const machine = describeMachine();
  console.log(formatMachine(machine));
  const model = await ensureGguf(values['model-dir']!, cache, 'q8_0', (line) => console.error(line));
  const video = await ensureVideo(cache, Number(values.minutes));
  const results: ChildResult[] = [];
  const report = (r: ChildResult) => {
    results.push(r);
    const name = r.mode === 'segments' ? `segments, concurrency ${r.concurrency}` : r.mode === 'one' ? 'one caption' : 'single captions';
    console.log(
      `${name.padEnd(26)} ${String(r.segments).padStart(3)} captions  wall ${r.wallS.toFixed(1).padStart(6)} s  ` +
        `(${(r.wallS / r.segments).toFixed(2)} s each)  reading ${r.readS.toFixed(1)} s (${((100 * r.readS) / r.wallS).toFixed(1)}%)  ` +
        `ffmpeg CPU ${r.ffmpegCpuS.toFixed(1)} s  peak RSS ${r.peakRssMiB.toFixed(0)} MiB (base ${r.baseRssMiB.toFixed(0)})  ` +
        `others CPU ${r.othersCpus === null ? '?' : r.othersCpus.toFixed(2)}`,
    );
  };
  report(await measure('one', model, video, 1));
  const singles = await measure('singles', model, video, 1);
  report(singles);
  for (const concurrency of values.concurrency!.split(',').map(Number)) {
    const r = await measure('segments', model, video, concurrency);
    report(r);
    const same = r.texts.length === singles.texts.length && r.texts.every((t, k) => t === singles.texts[k]);
    console.log(`  captions identical to the single captions: ${same ? 'yes' : 'NO'}; ` +
      `speed-up ${(singles.wallS / r.wallS).toFixed(2)}x; peak RSS ${((100 * r.peakRssMiB) / results[0]!.peakRssMiB - 100).toFixed(1)}% over one caption`);
  }
  if (values.json) writeFileSync(values.json, JSON.stringify({ machine, results }, null, 2));
}

await main();
