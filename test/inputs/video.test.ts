import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GitcapError } from '../../core/errors.js';
import { findFfmpegTools, INSTALL_HINT, type FfmpegTools } from '../../lib/inputs/ffmpeg.js';
import { readVideoFrames, type ReadVideoOptions, type VideoFrames } from '../../lib/inputs/video.js';
import { skipWhenSanitized } from '../sanitized.js';
import {
  childPids,
  compareBytes,
  fakeTool,
  ffmpeg,
  ffmpegForTests,
  FIXTURES,
  makeTempDir,
  newChildren,
  referenceFrames,
} from './video-helpers.js';

const { tools: foundTools, skip } = await ffmpegForTests();
const CLIP = path.join(FIXTURES, 'clip.mp4');
const CLIP_INDICES = [0, 19, 39, 59, 79, 99];
const CLIP_FRAME_BYTES = 320 * 240 * 3;
// Every call here must settle well within this, including the failing ones.
const BOUNDED_MS = 15_000;

let dir = '';
let tools: FfmpegTools;
const made: Record<string, string> = {};

/** Makes the small test videos with lavfi sources; each is a fraction of a second to encode. */
async function makeVideos(): Promise<void> {
  const at = (name: string) => (made[name] = path.join(dir, name));
  const testsrc = (size: string, extra: string) => ['-f', 'lavfi', '-i', `testsrc2=s=${size}:r=25:${extra}`];
  await ffmpeg(tools, [...testsrc('64x48', 'd=0.4'), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', at('plain.mp4')]);
  await rotated(made['plain.mp4']!, at('rotated.mp4'));
  // Frames 0-9 every 2/25 s, then every 1/25 s: 20 frames over 1.2 s; a constant 25 fps output would have 30.
  await ffmpeg(tools, [
    ...testsrc('64x48', 'd=0.8'), '-vf', "setpts='if(lt(N,10),2*N,10+N)/25/TB'",
    ...(await vfrOption()), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', at('vfr.mp4'),
  ]);
  await ffmpeg(tools, [...testsrc('64x48', 'd=1'), '-frames:v', '3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', at('three.mp4')]);
  // 3000 frames (2 minutes), a keyframe every 50 frames.
  await ffmpeg(tools, [
    ...testsrc('160x120', 'd=120'), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-pix_fmt', 'yuv420p', at('long.mp4'),
  ]);
  await ffmpeg(tools, ['-f', 'lavfi', '-i', 'sine=d=0.2', '-c:a', 'aac', at('audio-only.mp4')]);
  await ffmpeg(tools, ['-i', CLIP, '-c', 'copy', '-movflags', '+faststart', at('faststart.mp4')]);
  const clipBytes = await readFile(CLIP);
  await writeFile(at('truncated.mp4'), clipBytes.subarray(0, 30_000)); // the index (moov) is at the end
  await writeFile(at('truncated-faststart.mp4'), (await readFile(made['faststart.mp4']!)).subarray(0, 60_000));
  await writeFile(at('random.mp4'), pseudoRandomBytes(4000));
  await writeFile(at('text.mp4'), 'This is a text file, not a video.\n');
  await writeFile(at('empty.mp4'), '');
  await writeFile(at('no-frames.y4m'), 'YUV4MPEG2 W64 H48 F25:1 Ip A1:1 C420jpeg\n');
  // A header that promises 16000x16000 frames: rejected before anything is decoded.
  await writeFile(at('huge.y4m'), 'YUV4MPEG2 W16000 H16000 F25:1 Ip A1:1 C420jpeg\nFRAME\n');
  await mkdir(at('folder.mp4'));
}

// ffmpeg >= 6 sets the display matrix with -display_rotation; 5.x turns a "rotate" tag into one.
async function rotated(source: string, target: string): Promise<void> {
  try {
    await ffmpeg(tools, ['-display_rotation', '90', '-i', source, '-c', 'copy', target]);
  } catch {
    await ffmpeg(tools, ['-i', source, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', target]);
  }
}

async function vfrOption(): Promise<string[]> {
  try {
    await ffmpeg(tools, ['-f', 'lavfi', '-i', 'nullsrc=d=0.04', '-fps_mode', 'vfr', '-f', 'null', '-']);
    return ['-fps_mode', 'vfr'];
  } catch {
    return ['-vsync', 'vfr'];
  }
}

function pseudoRandomBytes(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = 0x2545f491;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

/** The call fails with exactly this error, in bounded time, and leaves no child process behind. */
async function assertFailsCleanly(
  call: () => Promise<unknown>,
  expected: { code: string; message: string; name?: string },
  maxMs = BOUNDED_MS,
): Promise<void> {
  const before = await childPids();
  const started = performance.now();
  await assert.rejects(call(), (err: unknown) => {
    assert.ok(err instanceof GitcapError, `not a GitcapError: ${String(err)}`);
    assert.equal(err.code, expected.code);
    assert.equal(err.message, expected.message);
    if (expected.name !== undefined) assert.equal(err.name, expected.name);
    return true;
  });
  const elapsed = performance.now() - started;
  assert.ok(elapsed < maxMs, `took ${elapsed.toFixed(0)} ms`);
  assert.deepEqual(await newChildren(before), [], 'a child process outlived the call');
}

async function readCleanly(file: string, options: ReadVideoOptions): Promise<VideoFrames> {
  const before = await childPids();
  const result = await readVideoFrames(file, options);
  assert.deepEqual(await newChildren(before), [], 'a child process outlived the call');
  return result;
}

function assertSameFrames(actual: VideoFrames, expected: VideoFrames): void {
  assert.deepEqual(actual.indices, expected.indices);
  actual.frames.forEach((frame, i) => assert.ok(Buffer.from(frame.data).equals(expected.frames[i]!.data), `frame ${i}`));
}

describe('video input', { skip }, () => {
  before(async () => {
    tools = foundTools ?? (await findFfmpegTools()); // under CI without ffmpeg this throws E_FFMPEG
    dir = await makeTempDir();
    await makeVideos();
  });
  after(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  describe('clip.mp4 fixture', () => {
    test('6 uniform frames: indices, metadata, bytes of the default ffmpeg rgb24 decode', async () => {
      const result = await readCleanly(CLIP, { numFrames: 6 });
      assert.deepEqual(result.indices, CLIP_INDICES);
      assert.deepEqual(result.timestamps, [0, 0.76, 1.56, 2.36, 3.16, 3.96]);
      assert.equal(result.frameCount, 100);
      assert.equal(result.fps, 25);
      assert.equal(result.duration, 4);
      assert.equal(result.codec, 'h264');
      assert.deepEqual([result.width, result.height, result.rotation], [320, 240, 0]);
      const reference = await referenceFrames(tools, CLIP, CLIP_FRAME_BYTES);
      assert.equal(reference.length, 100);
      result.frames.forEach((frame, i) => {
        assert.deepEqual([frame.width, frame.height, frame.channels, frame.data.length], [320, 240, 3, CLIP_FRAME_BYTES]);
        assert.ok(frame.data instanceof Uint8Array, 'data is a Uint8Array');
        assert.deepEqual(compareBytes(frame.data, reference[CLIP_INDICES[i]!]!), { maxAbsDiff: 0, differingShare: 0 });
      });
    });

    test('frames match the fixture PNGs (tolerance: 3 levels on at most 5% of bytes for another ffmpeg build)', async (t) => {
      const result = await readCleanly(CLIP, { numFrames: 6 });
      for (const [i, index] of CLIP_INDICES.entries()) {
        const png = path.join(FIXTURES, `clip_frame${i}_idx${String(index).padStart(3, '0')}.png`);
        const expected = await ffmpeg(tools, ['-i', png, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
        const { maxAbsDiff, differingShare } = compareBytes(result.frames[i]!.data, expected);
        t.diagnostic(`frame ${index}: max abs difference ${maxAbsDiff}, differing bytes ${(differingShare * 100).toFixed(3)}%`);
        assert.ok(maxAbsDiff <= 3 && differingShare <= 0.05, `frame ${index}: ${maxAbsDiff}, ${differingShare}`);
      }
    });

    test('select, seek and auto decoding give the same frames', async () => {
      const select = await readCleanly(CLIP, { numFrames: 6, decodeMethod: 'select' });
      for (const decodeMethod of ['seek', 'auto'] as const) {
        assertSameFrames(await readCleanly(CLIP, { numFrames: 6, decodeMethod }), select);
      }
    });

    test('one frame: the middle one', async () => {
      const result = await readCleanly(CLIP, { numFrames: 1 });
      assert.deepEqual(result.indices, [49]);
      const reference = await referenceFrames(tools, CLIP, CLIP_FRAME_BYTES);
      assert.ok(Buffer.from(result.frames[0]!.data).equals(reference[49]!), 'frame 49');
    });

    test('timestamps and window sampling', async () => {
      const byTime = await readCleanly(CLIP, {
        numFrames: 4,
        sampling: { kind: 'timestamps', timestamps: [0, 0.79, 0.8, 4] },
      });
      assert.deepEqual(byTime.indices, [0, 19, 20, 99]);
      const window = await readCleanly(CLIP, { numFrames: 6, sampling: { kind: 'window', frameSampleRate: 4, seed: 0 } });
      assert.deepEqual(window.indices, [20, 24, 29, 34, 39, 43]);
      await assertFailsCleanly(
        () => readVideoFrames(CLIP, { numFrames: 1, sampling: { kind: 'timestamps', timestamps: [4.5] } }),
        { code: 'E_INVALID_ARG', message: 'sampling.timestamps[0] is 4.5 s, past the end of the video (4 s)' },
      );
    });

    test('maxPixels is checked before decoding', async () => {
      await assertFailsCleanly(() => readVideoFrames(CLIP, { numFrames: 6, maxPixels: 320 * 240 - 1 }), {
        code: 'E_INPUT',
        message: `Video file ${CLIP} is 320x240 (76800 pixels), more than maxPixels (76799)`,
      });
    });
  });

  describe('generated videos', () => {
    test('rotation metadata is applied as ffmpeg does and reported', async () => {
      const file = made['rotated.mp4']!;
      const result = await readCleanly(file, { numFrames: 10 });
      assert.ok(result.rotation === 90 || result.rotation === 270, `rotation ${result.rotation}`);
      assert.deepEqual([result.width, result.height], [48, 64]);
      assert.deepEqual(result.indices, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const transpose = result.rotation === 90 ? 'transpose=clock' : 'transpose=cclock';
      const upright = await referenceFrames(tools, made['plain.mp4']!, 48 * 64 * 3, ['-vf', transpose]);
      const autorotated = await referenceFrames(tools, file, 48 * 64 * 3);
      result.frames.forEach((frame, i) => {
        assert.ok(Buffer.from(frame.data).equals(upright[i]!), `frame ${i} vs ${transpose}`);
        assert.ok(Buffer.from(frame.data).equals(autorotated[i]!), `frame ${i} vs ffmpeg's autorotation`);
      });
    });

    test('variable frame rate: every decoded frame once, with its own time', async () => {
      const file = made['vfr.mp4']!;
      const result = await readCleanly(file, { numFrames: 6 });
      assert.equal(result.frameCount, 20);
      assert.deepEqual(result.indices, [0, 3, 7, 11, 15, 19]);
      assert.deepEqual(result.timestamps, [0, 0.24, 0.56, 0.84, 1, 1.16]);
      assert.equal(result.duration, 1.2);
      const passthrough = await referenceFrames(tools, file, 64 * 48 * 3, ['-fps_mode', 'passthrough']).catch(() =>
        referenceFrames(tools, file, 64 * 48 * 3, ['-vsync', 'passthrough']),
      );
      assert.equal(passthrough.length, 20);
      result.frames.forEach((frame, i) =>
        assert.ok(Buffer.from(frame.data).equals(passthrough[result.indices[i]!]!), `frame ${i}`),
      );
      const byTime = await readCleanly(file, { numFrames: 3, sampling: { kind: 'timestamps', timestamps: [0.5, 0.85, 1.19] } });
      assert.deepEqual(byTime.indices, [6, 11, 19]);
    });

    test('fewer frames than numFrames: indices repeat like linspace, frames do not share memory', async () => {
      const result = await readCleanly(made['three.mp4']!, { numFrames: 6 });
      assert.equal(result.frameCount, 3);
      assert.deepEqual(result.indices, [0, 0, 0, 1, 1, 2]);
      const reference = await referenceFrames(tools, made['three.mp4']!, 64 * 48 * 3);
      result.frames.forEach((frame, i) =>
        assert.ok(Buffer.from(frame.data).equals(reference[result.indices[i]!]!), `frame ${i}`),
      );
      const buffers = new Set(result.frames.map((frame) => frame.data.buffer));
      assert.equal(buffers.size, 6);
    });

    test('long video: seeking decodes only the GOPs of the wanted frames, same bytes', async () => {
      const file = made['long.mp4']!;
      const select = await readCleanly(file, { numFrames: 6, decodeMethod: 'select' });
      const seek = await readCleanly(file, { numFrames: 6, decodeMethod: 'seek' });
      assert.deepEqual(select.indices, [0, 599, 1199, 1799, 2399, 2999]);
      assertSameFrames(seek, select);
      assert.deepEqual([select.ffmpegRuns, select.decodedFrames], [1, 3000]);
      assert.equal(seek.ffmpegRuns, 6);
      // Each seek decodes from the keyframe before its frame: at most 50 frames (+ decoder delay).
      assert.ok(seek.decodedFrames !== undefined && seek.decodedFrames <= 6 * 55, `decoded ${seek.decodedFrames}`);
      const keyframes = await readCleanly(file, {
        numFrames: 3,
        decodeMethod: 'seek',
        sampling: { kind: 'timestamps', timestamps: [20, 40, 100] },
      });
      assert.deepEqual(keyframes.indices, [500, 1000, 2500]);
      assert.ok(keyframes.decodedFrames !== undefined && keyframes.decodedFrames <= 3 * 5, `decoded ${keyframes.decodedFrames}`);
    });

    test('a truncated file whose index survived: the frames that can be decoded', async () => {
      const result = await readCleanly(made['truncated-faststart.mp4']!, { numFrames: 6 });
      assert.ok(result.frameCount > 6 && result.frameCount < 100, `frameCount ${result.frameCount}`);
      assert.equal(result.indices[5], result.frameCount - 1);
    });

    test('ffmpeg older than 5.1 (no -fps_mode) falls back to -vsync', async () => {
      const legacy = await fakeTool(
        dir,
        'ffmpeg-legacy',
        `for a in "$@"; do [ "$a" = "-fps_mode" ] && { echo "Unrecognized option 'fps_mode'." >&2; exit 1; }; done\nexec '${tools.ffmpeg}' "$@"`,
      );
      const result = await readCleanly(CLIP, { numFrames: 6, ffmpegPath: legacy, ffprobePath: tools.ffprobe });
      assert.equal(result.ffmpegRuns, 2);
      assertSameFrames(result, await readVideoFrames(CLIP, { numFrames: 6 }));
      const again = await readCleanly(CLIP, { numFrames: 6, ffmpegPath: legacy, ffprobePath: tools.ffprobe });
      assert.equal(again.ffmpegRuns, 1);
    });
  });

  describe('broken inputs', () => {
    const cases: [string, string, string][] = [
      ['truncated.mp4', 'E_INPUT', 'Cannot read video %: moov atom not found; Invalid data found when processing input'],
      ['random.mp4', 'E_INPUT', 'Cannot read video %: moov atom not found; Invalid data found when processing input'],
      ['text.mp4', 'E_INPUT', 'Cannot read video %: moov atom not found; Invalid data found when processing input'],
      ['empty.mp4', 'E_INPUT', 'Video file % is empty (0 bytes)'],
      ['audio-only.mp4', 'E_INPUT', 'Video file % has no video stream'],
      ['no-frames.y4m', 'E_INPUT', 'Video file % has no frames'],
      ['huge.y4m', 'E_INPUT', 'Video file % is 16000x16000 (256000000 pixels), more than maxPixels (33177600)'],
      ['folder.mp4', 'E_INPUT', 'Video path % is not a file'],
      ['missing.mp4', 'E_NOT_FOUND', 'Video file not found: %'],
    ];
    for (const [name, code, message] of cases) {
      test(name, async () => {
        const file = path.join(dir, name);
        await assertFailsCleanly(() => readVideoFrames(file, { numFrames: 6 }), { code, message: message.replace('%', file) });
      });
    }

    test('a path that looks like an option or a protocol is read as a file', async () => {
      const odd = path.join(dir, '-i:x.mp4');
      await copyFile(CLIP, odd);
      const result = await readCleanly(odd, { numFrames: 2 });
      assert.deepEqual(result.indices, [0, 99]);
      const cwd = process.cwd();
      process.chdir(dir);
      try {
        assertSameFrames(await readCleanly('-i:x.mp4', { numFrames: 2 }), result);
      } finally {
        process.chdir(cwd);
      }
    });
  });

  describe('time limits, abort, process cleanup', () => {
    test('timeout kills a stalled ffprobe', async () => {
      const stalled = await fakeTool(dir, 'ffprobe-stalled', 'exec sleep 30');
      await assertFailsCleanly(
        () => readVideoFrames(CLIP, { numFrames: 6, timeoutMs: 300, ffprobePath: stalled, ffmpegPath: tools.ffmpeg }),
        { code: 'E_FFMPEG', message: `ffprobe on ${CLIP} did not finish within timeoutMs (300 ms) and was stopped` },
        5_000,
      );
    });

    test('timeout returns even when a grandchild keeps the pipes open', async () => {
      const pidFile = path.join(dir, 'grandchild.pid');
      const forking = await fakeTool(dir, 'ffprobe-forking', `sleep 30 &\necho $! > '${pidFile}'\nwait`);
      try {
        await assertFailsCleanly(
          () => readVideoFrames(CLIP, { numFrames: 6, timeoutMs: 500, ffprobePath: forking, ffmpegPath: tools.ffmpeg }),
          { code: 'E_FFMPEG', message: `ffprobe on ${CLIP} did not finish within timeoutMs (500 ms) and was stopped` },
          5_000,
        );
      } finally {
        const grandchild = Number(await readFile(pidFile, 'utf8').catch(() => ''));
        if (grandchild > 0) process.kill(grandchild, 'SIGKILL');
      }
    });

    test('abort kills ffmpeg while it decodes', async () => {
      const started = path.join(dir, 'ffmpeg-started');
      const stalled = await fakeTool(dir, 'ffmpeg-stalled', `touch '${started}'\nexec sleep 30`);
      const controller = new AbortController();
      // Abort once ffmpeg runs (after the real ffprobe), however slow the machine is.
      const poll = setInterval(() => {
        if (existsSync(started)) {
          clearInterval(poll);
          controller.abort(new Error('user cancelled'));
        }
      }, 20);
      await assertFailsCleanly(
        () =>
          readVideoFrames(CLIP, { numFrames: 6, signal: controller.signal, ffmpegPath: stalled, ffprobePath: tools.ffprobe }),
        { code: 'E_ABORTED', message: 'The operation was aborted', name: 'AbortError' },
        10_000,
      );
      clearInterval(poll);
      assert.ok(existsSync(started), 'ffmpeg had started');
    });

    test('an aborted signal starts nothing', async () => {
      await assertFailsCleanly(() => readVideoFrames(CLIP, { numFrames: 6, signal: AbortSignal.abort() }), {
        code: 'E_ABORTED',
        message: 'The operation was aborted',
      });
    });

    test('an executable that cannot start is E_FFMPEG', async () => {
      const broken = await fakeTool(dir, 'ffprobe-broken', '');
      await writeFile(broken, '#!/nonexistent/interpreter\n');
      await assertFailsCleanly(() => readVideoFrames(CLIP, { numFrames: 6, ffprobePath: broken, ffmpegPath: tools.ffmpeg }), {
        code: 'E_FFMPEG',
        message: `Cannot run ${broken}: spawn ${broken} ENOENT`,
      });
    });

    test('an ffmpeg killed by a signal is E_FFMPEG', { skip: skipWhenSanitized('the preloaded ASan runtime turns a SIGSEGV into exit status 1') }, async () => {
      const crashing = await fakeTool(dir, 'ffmpeg-crashing', 'kill -SEGV $$');
      await assertFailsCleanly(() => readVideoFrames(CLIP, { numFrames: 6, ffmpegPath: crashing, ffprobePath: tools.ffprobe }), {
        code: 'E_FFMPEG',
        message: `ffmpeg was killed by SIGSEGV on ${CLIP}`,
      });
    });
  });
});

describe('locating ffmpeg', () => {
  let toolsDir = '';
  before(async () => {
    toolsDir = await makeTempDir();
  });
  after(async () => {
    if (toolsDir !== '') await rm(toolsDir, { recursive: true, force: true });
  });

  test('nothing on PATH: install instructions', async () => {
    await assert.rejects(findFfmpegTools({ env: { PATH: toolsDir } }), {
      code: 'E_FFMPEG',
      message: `ffmpeg was not found. ${INSTALL_HINT}`,
    });
    assert.match(INSTALL_HINT, /apt-get install ffmpeg.*brew install ffmpeg.*choco install ffmpeg.*FFMPEG_PATH/);
  });

  test('a wrong FFMPEG_PATH or option is reported as such', async () => {
    const missing = path.join(toolsDir, 'nope', 'ffmpeg');
    await assert.rejects(findFfmpegTools({ env: { FFMPEG_PATH: missing } }), {
      code: 'E_FFMPEG',
      message: `FFMPEG_PATH is set to ${missing}, but no executable file is there. ${INSTALL_HINT}`,
    });
    await assert.rejects(findFfmpegTools({ ffprobePath: missing, env: {} }), {
      code: 'E_FFMPEG',
      message: `the ffprobePath option is set to ${missing}, but no executable file is there. ${INSTALL_HINT}`,
    });
  });

  test('ffprobe is found next to FFMPEG_PATH; PATH is searched', async () => {
    const ffmpegFile = await fakeTool(toolsDir, 'ffmpeg', 'exit 0');
    await assert.rejects(findFfmpegTools({ env: { PATH: toolsDir } }), {
      code: 'E_FFMPEG',
      message: `ffprobe was not found (ffmpeg is at ${ffmpegFile}). ${INSTALL_HINT}`,
    });
    const ffprobeFile = await fakeTool(toolsDir, 'ffprobe', 'exit 0');
    assert.deepEqual(await findFfmpegTools({ env: { FFMPEG_PATH: ffmpegFile } }), { ffmpeg: ffmpegFile, ffprobe: ffprobeFile });
    assert.deepEqual(await findFfmpegTools({ env: { PATH: `/nonexistent${path.delimiter}${toolsDir}` } }), {
      ffmpeg: ffmpegFile,
      ffprobe: ffprobeFile,
    });
  });
});

describe('video options', () => {
  const cases: [unknown, string][] = [
    [{ numFrames: 0 }, 'Expected integer between 1 and 256 for numFrames but received 0 of type number'],
    [{ numFrames: 1.5 }, 'Expected integer between 1 and 256 for numFrames but received 1.5 of type number'],
    [{ numFrames: '6' }, 'Expected integer between 1 and 256 for numFrames but received "6" of type string'],
    [{ numFrames: 6, timeoutMs: 0 }, 'Expected number between 1 and 2147483647 for timeoutMs but received 0 of type number'],
    [{ numFrames: 6, maxPixels: -1 }, 'Expected integer between 1 and 9007199254740991 for maxPixels but received -1 of type number'],
    [{ numFrames: 6, decodeMethod: 'fast' }, `Expected 'auto', 'select' or 'seek' for decodeMethod but received "fast" of type string`],
    [{ numFrames: 6, signal: {} }, 'Expected an AbortSignal for signal but received an object'],
    [{ numFrames: 6, ffmpegPath: '' }, 'Expected a non-empty string for ffmpegPath but received "" of type string'],
    [null, 'Expected an object for options but received null'],
  ];
  for (const [options, message] of cases) {
    test(message, async () => {
      await assert.rejects(readVideoFrames(CLIP, options as ReadVideoOptions), { code: 'E_INVALID_ARG', message });
    });
  }

  test('videoPath must be a non-empty string', async () => {
    await assert.rejects(readVideoFrames('', { numFrames: 6 }), {
      code: 'E_INVALID_ARG',
      message: 'Expected a non-empty string for videoPath but received "" of type string',
    });
  });
});
