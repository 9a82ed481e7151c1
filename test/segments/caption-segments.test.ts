// model.captionSegments and `gitcap caption --segments` on a generated 24-s video of four scenes:
// each segment's caption is the --frames caption of its sampled frames, and the JSON lines,
// SubRip and WebVTT outputs say the same as the API.
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GitModel, type SegmentCaption } from '../../lib/index.js';
import type { FfmpegTools } from '../../lib/inputs/ffmpeg.js';
import { gitcap } from '../cli/gitcap-process.js';
import { ffmpegForTests, makeTempDir } from '../inputs/video-helpers.js';
import { fixtureGguf } from '../model/goldens.js';
import { cuesByFfmpeg, extractPngFrames, makeScenesVideo } from './scenes-video.js';

const { tools: foundTools, skip } = await ffmpegForTests();
// np.linspace(150 k, 150 k + 149, 6).astype(np.int64): frames of [6k, 6k + 6) at 25 fps.
const SEGMENT_FRAMES = [
  [0, 29, 59, 89, 119, 149],
  [150, 179, 209, 239, 269, 299],
  [300, 329, 359, 389, 419, 449],
  [450, 479, 509, 539, 569, 599],
];

let dir = '';
let video = '';
let vatexPath = '';
let tools: FfmpegTools;
let model: GitModel;
let segments: SegmentCaption[] = [];

async function collect(iterable: AsyncIterable<SegmentCaption>): Promise<SegmentCaption[]> {
  const out: SegmentCaption[] = [];
  for await (const segment of iterable) out.push(segment);
  return out;
}

const withoutTimings = ({ timings: _t, ...rest }: SegmentCaption) => rest;

describe('captions per segment', { skip }, () => {
  before(async () => {
    tools = foundTools!;
    dir = await makeTempDir();
    video = await makeScenesVideo(tools, dir);
    vatexPath = await fixtureGguf('tiny-vatex');
    model = await GitModel.load(vatexPath, { threads: 1 });
    segments = await collect(model.captionSegments({ video }, { segmentSeconds: 6 }));
  });
  after(async () => {
    await model?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('gives four segments at 0, 6, 12 and 18 s, in order', () => {
    assert.deepEqual(
      segments.map((s) => [s.index, s.start, s.end]),
      [[0, 0, 6], [1, 6, 12], [2, 12, 18], [3, 18, 24]],
    );
    for (const s of segments) {
      assert.deepEqual(Object.keys(s).sort(), ['end', 'index', 'start', 'text', 'timings', 'tokenIds']);
      assert.ok(s.tokenIds.length > 0 && s.text.length > 0);
      assert.ok(s.timings.readMs > 0 && s.timings.visionMs > 0 && s.timings.totalMs >= s.timings.readMs);
    }
  });

  it('captions each segment as --frames captions its sampled frames extracted as PNG', async () => {
    for (const [k, indices] of SEGMENT_FRAMES.entries()) {
      const pngs = await extractPngFrames(tools, video, indices, dir);
      // What `gitcap caption <png...> --frames` runs; the command itself is run for one segment.
      const r = await model.caption({ frames: pngs });
      assert.deepEqual(r.tokenIds, segments[k]!.tokenIds, `segment ${k}`);
      assert.equal(r.text, segments[k]!.text);
      if (k !== 2) continue;
      const cli = await gitcap(['caption', ...pngs, '--frames', '--model', vatexPath, '--threads', '1', '--json']);
      assert.equal(cli.code, 0, cli.stderr);
      assert.deepEqual((JSON.parse(cli.stdout) as { tokenIds: number[] }).tokenIds, segments[k]!.tokenIds);
    }
  });

  it('gives the same captions for explicit segments, in their order, at any concurrency', async () => {
    const explicit = await collect(
      model.captionSegments({ video }, { segments: [[18, 24], [0, 6], [6, 12]], concurrency: 3 }),
    );
    assert.deepEqual(explicit.map(withoutTimings), [
      { ...withoutTimings(segments[3]!), index: 0 },
      { ...withoutTimings(segments[0]!), index: 1 },
      { ...withoutTimings(segments[1]!), index: 2 },
    ]);
    const one = await collect(model.captionSegments({ video }, { segmentSeconds: 6, concurrency: 1 }));
    assert.deepEqual(one.map(withoutTimings), segments.map(withoutTimings));
  });

  it('stops reading and captioning when the loop is left early', async () => {
    for await (const segment of model.captionSegments({ video }, { segmentSeconds: 2, concurrency: 2 })) {
      assert.equal(segment.index, 0);
      break;
    }
    assert.equal(model.pending, 0);
  });

  it('rejects an abort, bad options and bad files with typed errors', async () => {
    const controller = new AbortController();
    const aborted = collect(model.captionSegments({ video }, { segmentSeconds: 3, signal: controller.signal }));
    controller.abort();
    await assert.rejects(aborted, { code: 'E_ABORTED' });
    await assert.rejects(collect(model.captionSegments({ video }, { segments: [[30, 31]] })), {
      code: 'E_INVALID_ARG',
      message: /segments\[0\] starts at 30 s/,
    });
    await assert.rejects(collect(model.captionSegments({ video }, {} as never)), { code: 'E_INVALID_ARG' });
    await assert.rejects(collect(model.captionSegments({ video }, { segmentSeconds: 6, numBeams: 99 })), /numBeams/);
    await assert.rejects(collect(model.captionSegments({ image: video } as never, { segmentSeconds: 6 })), { code: 'E_INVALID_ARG' });
    await assert.rejects(collect(model.captionSegments({ video: path.join(dir, 'none.mp4') }, { segmentSeconds: 6 })), {
      code: 'E_NOT_FOUND',
    });
    const text = path.join(dir, 'not-a-video.mp4');
    await writeFile(text, 'not a video');
    await assert.rejects(collect(model.captionSegments({ video: text }, { segmentSeconds: 6 })), { code: 'E_INPUT' });
    assert.equal(model.pending, 0);
  });

  it('gitcap caption --segments writes JSON lines identical to the API objects', async () => {
    const r = await gitcap(['caption', video, '--segments', '6s', '--format', 'jsonl', '--model', vatexPath, '--threads', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as SegmentCaption);
    assert.deepEqual(lines.map(withoutTimings), segments.map(withoutTimings));
    for (const line of lines) assert.deepEqual(Object.keys(line.timings).sort(), Object.keys(segments[0]!.timings).sort());
  });

  it('writes SubRip and WebVTT files that ffmpeg reads back as the same cues', async () => {
    for (const ext of ['srt', 'vtt']) {
      const out = path.join(dir, `captions.${ext}`);
      const r = await gitcap(['caption', video, '--segments', '6', '-o', out, '--model', vatexPath, '--threads', '1']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
      const written = await readFile(out, 'utf8');
      if (ext === 'vtt') assert.ok(written.startsWith('WEBVTT\n\n00:00:00.000 --> 00:00:06.000\n'), written);
      else assert.ok(written.startsWith('1\n00:00:00,000 --> 00:00:06,000\n'), written);
      assert.deepEqual(
        await cuesByFfmpeg(tools, out),
        segments.map((s) => ({ start: s.start, end: s.end, text: s.text })),
        ext,
      );
    }
  });

  it('prints "[start-end] caption" lines by default', async () => {
    const r = await gitcap(['caption', video, '--segments', '6', '--model', vatexPath, '--threads', '1', '--concurrency', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      segments.map((s, k) => `[00:00:${String(6 * k).padStart(2, '0')}.000-00:00:${String(6 * k + 6).padStart(2, '0')}.000] ${s.text}\n`).join(''),
    );
  });

  it('refuses --segments with a usage error, and a missing video, before loading a model', async () => {
    const usage = await gitcap(['caption', video, video, '--segments', '6', '--model', path.join(dir, 'no-model.gguf')]);
    assert.equal(usage.code, 2, usage.stderr);
    assert.match(usage.stderr, /--segments takes one video file/);
    const missing = await gitcap(['caption', path.join(dir, 'none.mp4'), '--segments', '6', '--model', path.join(dir, 'no-model.gguf')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /none\.mp4: no such file/);
  });
});
