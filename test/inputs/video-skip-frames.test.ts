// Reads that tell the decoder to skip unreferenced frames (ffmpeg's -skip_frame noref) give the
// same bytes as a plain decode, decode fewer frames, and recover when a wanted frame that looked
// like a reference frame is skipped after all.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findFfmpegTools, type FfmpegTools } from '../../lib/inputs/ffmpeg.js';
import { decodeFrames, type DecodeStats } from '../../lib/inputs/video-decode.js';
import type { VideoJob } from '../../lib/inputs/video-job.js';
import { checkVideoOptions } from '../../lib/inputs/video-options.js';
import { probeVideo, type VideoProbe } from '../../lib/inputs/video-probe.js';
import { VideoSource } from '../../lib/inputs/video-source.js';
import type { FrameTimeline } from '../../lib/inputs/video-timeline.js';
import { openVideoJob } from '../../lib/inputs/video.js';
import { ffmpeg, ffmpegForTests, makeTempDir, referenceFrames } from './video-helpers.js';

const { tools: foundTools, skip } = await ffmpegForTests();
const WIDTH = 160;
const HEIGHT = 120;

let dir = '';
let file = '';
let tools: FfmpegTools;
let reference: Buffer[] = [];
// The file probed once; `hints` are its timeline's reference hints.
let job: VideoJob;
let probe: VideoProbe;
let hints: readonly boolean[] = [];

function newStats(): DecodeStats {
  return { ffmpegRuns: 0, decodedFrames: undefined };
}

function decodeWith(timeline: FrameTimeline, targets: number[], stats: DecodeStats) {
  // A fresh time limit for each read.
  return decodeFrames({ ...job, deadline: Date.now() + job.timeoutMs }, probe, timeline, targets, 'select', true, stats);
}

function assertReferenceBytes(frames: Map<number, { data: Uint8Array }> | undefined, targets: number[]): void {
  assert.ok(frames !== undefined, 'no frames');
  for (const target of targets) {
    assert.ok(Buffer.from(frames.get(target)!.data).equals(reference[target]!), `frame ${target}`);
  }
}

describe('skipping unreferenced frames', { skip }, () => {
  before(async () => {
    tools = foundTools ?? (await findFfmpegTools());
    dir = await makeTempDir();
    file = path.join(dir, 'bframes.mp4');
    // 200 frames, a keyframe every 50, x264's B-frame pyramid: a third to a half of the frames are unreferenced.
    await ffmpeg(tools, [
      '-f', 'lavfi', '-i', `testsrc2=s=${WIDTH}x${HEIGHT}:r=25:d=8`, '-c:v', 'libx264', '-preset', 'veryfast', '-g', '50',
      '-bf', '3', '-x264-params', 'b-pyramid=normal', '-pix_fmt', 'yuv420p', file,
    ]);
    reference = await referenceFrames(tools, file, WIDTH * HEIGHT * 3);
    job = await openVideoJob(file, checkVideoOptions({ numFrames: 1 }));
    probe = await probeVideo(job);
    hints = probe.timeline.likelyReference!;
  });
  after(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  test('the packets mark the B-frames no other frame predicts from', () => {
    assert.equal(hints.length, 200);
    const unreferenced = hints.filter((hint) => !hint).length;
    assert.ok(unreferenced > 40 && unreferenced < 120, `${unreferenced} unreferenced frames`);
    for (const key of probe.timeline.keyframes) assert.equal(hints[key], true, `keyframe ${key}`);
  });

  test('reference frames only: same bytes as a plain decode, fewer frames decoded', async () => {
    // The last reference frame before each keyframe: the worst case for a seek.
    const targets = [49, 99, 149, 199].map((end) => {
      let frame = end;
      while (!hints[frame]) frame -= 1;
      return frame;
    });
    const stats = newStats();
    const frames = await decodeWith(probe.timeline, targets, stats);
    assertReferenceBytes(frames, targets);
    assert.equal(stats.ffmpegRuns, 1);
    const referenceCount = hints.slice(0, targets[3]! + 1).filter(Boolean).length;
    assert.ok(stats.decodedFrames !== undefined, 'ffmpeg reported no frame count');
    assert.ok(stats.decodedFrames < targets[3]! * 0.8, `decoded ${stats.decodedFrames} of ${targets[3]! + 1} frames`);
    assert.ok(stats.decodedFrames >= referenceCount, `decoded ${stats.decodedFrames}, ${referenceCount} reference frames`);
  });

  test('an unreferenced wanted frame: every frame decoded, in one run', async () => {
    const bFrame = hints.findIndex((hint, index) => index > 100 && !hint);
    const stats = newStats();
    const targets = [10, bFrame];
    assertReferenceBytes(await decodeWith(probe.timeline, targets, stats), targets);
    assert.equal(stats.ffmpegRuns, 1);
    assert.ok(stats.decodedFrames! >= bFrame + 1, `decoded ${stats.decodedFrames}`);
  });

  test('a wrong hint: the skipped frame is decoded again, same bytes', async () => {
    const bFrame = hints.findIndex((hint, index) => index > 60 && !hint);
    const wrongHints = { ...probe.timeline, likelyReference: hints.map(() => true) };
    const stats = newStats();
    const targets = [5, bFrame];
    assertReferenceBytes(await decodeWith(wrongHints, targets, stats), targets);
    assert.equal(stats.ffmpegRuns, 2, 'one run that skipped the frame, one that decoded every frame');
  });

  test('one decoder thread gives the same frames', async () => {
    const source = await VideoSource.open(file, { decoderThreads: 1 });
    const targets = [0, 37, 120, 199];
    assertReferenceBytes(await source.readFrames(targets), targets);
    await assert.rejects(VideoSource.open(file, { decoderThreads: -1 }), { code: 'E_INVALID_ARG' });
  });
});
