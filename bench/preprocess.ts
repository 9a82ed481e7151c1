// Image decoding and preprocessing speed, single thread, in the addon:
//
//   node --import tsx bench/preprocess.ts [--runs 50]
//
// Prints the median time of: six 640x480 RGB frames through each processor (VideoMAE bilinear,
// what a git-base-vatex caption does; CLIP bicubic), and decoding the fixtures' 640x480 JPEG and
// 480x640 PNG.
import { readFileSync } from 'node:fs';
import { getAddon } from '../lib/native/binding.js';
import type { RawPixels, RawPreprocessParams } from '../lib/native/image-types.js';
import { median } from './stats.js';

const FIXTURES = new URL('../test/fixtures/', import.meta.url);
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 50;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs takes a positive integer');

const addon = getAddon();
const jpeg = readFileSync(new URL('inputs/photo_640x480.jpg', FIXTURES));
const png = readFileSync(new URL('inputs/portrait_480x640.png', FIXTURES));

// Six different frames (the photo shifted by a few pixels each), so that no run reuses a result.
const photo = addon.decodeImage(jpeg, 100_000_000);
const frames: RawPixels[] = Array.from({ length: 6 }, (_, f) => {
  const data = new Uint8Array(photo.data.length);
  data.set(photo.data.subarray(f * 3 * 5), 0);
  return { data, width: photo.width, height: photo.height, channels: 3 };
});

const videomae: RawPreprocessParams = { processor: 'VideoMAEImageProcessor', resample: 'bilinear', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };
const clip: RawPreprocessParams = { processor: 'CLIPImageProcessor', resample: 'bicubic' };

function time(fn: () => unknown): number {
  for (let i = 0; i < 3; i++) fn(); // warm up
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(ms);
}

const rows: Array<[string, number]> = [
  ['6 frames 640x480 -> [6,3,224,224], VideoMAE (bilinear)', time(() => addon.preprocessImages(frames, videomae))],
  ['6 frames 640x480 -> [6,3,224,224], CLIP (bicubic)', time(() => addon.preprocessImages(frames, clip))],
  ['decode JPEG 640x480 (4:2:0)', time(() => addon.decodeImage(jpeg, 100_000_000))],
  ['decode PNG 480x640 RGB', time(() => addon.decodeImage(png, 100_000_000))],
];
console.log(`median of ${RUNS} runs, one thread`);
for (const [what, ms] of rows) console.log(`${ms.toFixed(2).padStart(8)} ms  ${what}`);
