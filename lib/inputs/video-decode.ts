import { GitcapError } from '../../core/errors.js';
import { decodedFrameCount, failureReason, parseLogLine, showinfoPts } from './ffmpeg-log.js';
import { runTool } from './ffmpeg-process.js';
import { PpmStreamReader } from './ppm-stream.js';
import type { RgbFrame } from './rgb-frame.js';
import { planDecodeRuns, type DecodeMethod, type DecodeRun } from './video-decode-plan.js';
import { INPUT_PROTOCOLS, toolRun, type VideoJob } from './video-job.js';
import type { VideoProbe } from './video-probe.js';
import type { FrameTimeline } from './video-timeline.js';

/** Decoding work, summed over every ffmpeg run of the call. */
export interface DecodeStats {
  ffmpegRuns: number;
  /** Frames ffmpeg decoded (from its own statistics); undefined if it did not report them. */
  decodedFrames: number | undefined;
}

/** How the decoder runs; neither choice changes a frame. */
export interface DecoderSettings {
  /** ffmpeg's decoder threads: 0 lets ffmpeg choose (fastest alone), 1 costs the least CPU. */
  readonly threads: number;
}

export const DEFAULT_DECODER: DecoderSettings = { threads: 0 };

// ffmpeg 5.1 renamed -vsync to -fps_mode; older builds only know -vsync. Remembered per binary.
const fpsModeOption = new Map<string, string>();

/**
 * Decodes the given frames (presentation indices, ascending, distinct). Frames come out after
 * ffmpeg's default autorotation and rgb24 conversion, one per decoded frame (`-fps_mode
 * passthrough`: no frame duplicated or dropped to make a variable frame rate constant).
 * Returns undefined when ffmpeg's frames do not match the timeline (fewer frames, or other pts
 * when `checkPts`): the timeline was built from packets and the decoder disagrees with it.
 */
export async function decodeFrames(
  job: VideoJob,
  probe: VideoProbe,
  timeline: FrameTimeline,
  targets: readonly number[],
  method: DecodeMethod,
  checkPts: boolean,
  stats: DecodeStats,
  decoder: DecoderSettings = DEFAULT_DECODER,
): Promise<Map<number, RgbFrame> | undefined> {
  const runs = planDecodeRuns(targets, timeline, probe.width * probe.height, method, probe.indexedSeek);
  const decoded = await executeRuns(job, probe, timeline, runs, checkPts, stats, decoder);
  if (decoded !== undefined || runs.every((run) => run.seekTo === null)) return decoded;
  // A seek landed elsewhere (an index that lies about keyframes): decode from the start instead.
  return executeRuns(job, probe, timeline, [{ seekTo: null, frames: targets }], checkPts, stats, decoder);
}

async function executeRuns(
  job: VideoJob,
  probe: VideoProbe,
  timeline: FrameTimeline,
  runs: readonly DecodeRun[],
  checkPts: boolean,
  stats: DecodeStats,
  decoder: DecoderSettings,
): Promise<Map<number, RgbFrame> | undefined> {
  const frames = new Map<number, RgbFrame>();
  for (const run of runs) {
    let output: RunOutput | undefined;
    if (canSkipUnreferenced(timeline, run)) {
      output = await decodeRun(job, probe, timeline, run, stats, decoder, true);
      // A wanted frame was not a reference frame after all: decode the run again, every frame.
      if (output.frames.length !== run.frames.length) output = undefined;
    }
    output ??= await decodeRun(job, probe, timeline, run, stats, decoder, false);
    if (output.frames.length !== run.frames.length) return undefined;
    const expectedPts = timeline.pts;
    if (checkPts && expectedPts !== null && run.frames.some((frame, i) => output.pts[i] !== expectedPts[frame])) {
      return undefined;
    }
    run.frames.forEach((frame, i) => frames.set(frame, output.frames[i]!));
  }
  return frames;
}

interface RunOutput {
  frames: RgbFrame[];
  /** The pts of each output frame as the showinfo filter saw it (null: none). */
  pts: (number | null)[];
}

/**
 * Whether a run may tell the decoder to skip the frames no other frame predicts from (ffmpeg's
 * `-skip_frame noref`, a third less work for H.264 with B-frames): when every wanted frame looks
 * like a reference frame and has a pts of its own, by which the run then picks it.
 */
function canSkipUnreferenced(timeline: FrameTimeline, run: DecodeRun): boolean {
  const { pts, likelyReference } = timeline;
  if (pts === null || likelyReference === null) return false;
  return run.frames.every(
    (frame) => likelyReference[frame] === true && pts[frame - 1] !== pts[frame] && pts[frame + 1] !== pts[frame],
  );
}

async function decodeRun(
  job: VideoJob,
  probe: VideoProbe,
  timeline: FrameTimeline,
  run: DecodeRun,
  stats: DecodeStats,
  decoder: DecoderSettings,
  skipUnreferenced: boolean,
): Promise<RunOutput> {
  const pixels = probe.width * probe.height; // rotation keeps the pixel count
  for (;;) {
    const fpsMode = fpsModeOption.get(job.tools.ffmpeg) ?? '-fps_mode';
    const reader = new PpmStreamReader(run.frames.length, pixels);
    const pts: (number | null)[] = [];
    const result = await runTool(
      toolRun(job, 'ffmpeg', decodeArgs(job, probe, timeline, run, fpsMode, decoder, skipUnreferenced), {
        maxStdoutBytes: run.frames.length * (pixels * 3 + 64),
        onStdout: (chunk) => reader.push(chunk),
        onStderrLine: (line) => {
          const { text } = parseLogLine(line);
          const framePts = showinfoPts(text);
          if (framePts !== undefined) pts.push(framePts);
          const decoded = decodedFrameCount(text);
          if (decoded !== undefined) stats.decodedFrames = (stats.decodedFrames ?? 0) + decoded;
        },
      }),
    );
    stats.ffmpegRuns += 1;
    if (result.exitSignal !== null) {
      throw new GitcapError('E_FFMPEG', `ffmpeg was killed by ${result.exitSignal} on ${job.displayPath}`);
    }
    if (result.exitCode !== 0 && fpsMode === '-fps_mode' && result.stderrTail.some((l) => l.includes("'fps_mode'"))) {
      fpsModeOption.set(job.tools.ffmpeg, '-vsync');
      continue;
    }
    if (result.exitCode !== 0) {
      const reason = failureReason(result.stderrTail, job.inputArg) || `ffmpeg exited with code ${result.exitCode}`;
      throw new GitcapError('E_INPUT', `Cannot decode video ${job.displayPath}: ${reason}`);
    }
    reader.finish();
    return { frames: reader.frames, pts };
  }
}

function decodeArgs(
  job: VideoJob,
  probe: VideoProbe,
  timeline: FrameTimeline,
  run: DecodeRun,
  fpsMode: string,
  decoder: DecoderSettings,
  skipUnreferenced: boolean,
): string[] {
  return [
    '-nostdin', '-hide_banner', '-nostats',
    // verbose: the decoded-frame statistics; level tags tell errors from the rest.
    '-loglevel', 'repeat+level+verbose',
    ...INPUT_PROTOCOLS,
    // Keep the container's pts so showinfo's pts can be checked against the timeline.
    '-copyts',
    ...(decoder.threads > 0 ? ['-threads', String(decoder.threads)] : []),
    ...(skipUnreferenced ? ['-skip_frame', 'noref'] : []),
    ...(run.seekTo === null ? [] : ['-ss', seekSeconds(probe, timeline, run.seekTo)]),
    '-i', job.inputArg,
    '-map', `0:${probe.streamIndex}`,
    '-vf', `${frameFilter(timeline, run, skipUnreferenced)},showinfo`,
    '-frames:v', String(run.frames.length),
    fpsMode, 'passthrough',
    '-f', 'image2pipe', '-c:v', 'ppm', '-pix_fmt', 'rgb24', '-',
  ];
}

/**
 * Keeps the run's frames. By their count from the first decoded frame, or, when the decoder skips
 * frames and that count no longer holds, by their pts; `trim` then ends the run after the last
 * one, also when a skipped wanted frame never comes.
 */
function frameFilter(timeline: FrameTimeline, run: DecodeRun, skipUnreferenced: boolean): string {
  if (skipUnreferenced) {
    const pts = run.frames.map((frame) => timeline.pts![frame]!);
    return `trim=end_pts=${pts[pts.length - 1]! + 1},select=${pts.map((value) => `eq(pts\\,${value})`).join('+')}`;
  }
  const first = run.seekTo ?? 0;
  return `select=${run.frames.map((frame) => `eq(n\\,${frame - first})`).join('+')}`;
}

/**
 * `-ss` at the frame's own pts, rounded down to µs (ffmpeg's unit): ffmpeg seeks to the keyframe
 * at or before it and drops every decoded frame shown earlier, so the first frame out is this
 * one (a keyframe target decodes nothing before it). `-ss` counts from the file's start time.
 */
function seekSeconds(probe: VideoProbe, timeline: FrameTimeline, frame: number): string {
  const { num, den } = probe.timeBase;
  const frameUs = Math.floor((timeline.pts![frame]! * num * 1e6) / den);
  return (Math.max(0, frameUs - probe.startTimeUs) / 1e6).toFixed(6);
}
