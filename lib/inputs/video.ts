import { stat } from 'node:fs/promises';
import path from 'node:path';
import { GitcapError, throwIfAborted } from '../../core/errors.js';
import { invalidArg } from './arg-checks.js';
import { findFfmpegTools } from './ffmpeg.js';
import type { RgbFrame } from './rgb-frame.js';
import { sampleFrameIndices } from './sampling.js';
import { decodeFrames, type DecodeStats } from './video-decode.js';
import type { VideoJob } from './video-job.js';
import { checkVideoOptions, type ReadVideoOptions } from './video-options.js';
import { probeDecodedFrames, probeVideo } from './video-probe.js';

export type { RgbFrame } from './rgb-frame.js';
export type { FrameSampling } from './sampling.js';
export type { DecodeMethod } from './video-decode-plan.js';
export type { ReadVideoOptions } from './video-options.js';

/** Sampled frames of a video and what they were taken from. */
export interface VideoFrames {
  /** `numFrames` frames, in the order of `indices`; each has its own `data`. */
  readonly frames: RgbFrame[];
  /** The frame index of each frame (0-based, presentation order; repeats for short videos). */
  readonly indices: number[];
  /** Each frame's time in seconds from the first frame. */
  readonly timestamps: number[];
  /** Frames in the video stream (each decoded frame once, also for variable frame rate). */
  readonly frameCount: number;
  /** Average frames per second (the container's, else frameCount / duration). */
  readonly fps: number;
  /** Seconds from the first frame to the end of the last one. */
  readonly duration: number;
  /** Size of the returned frames, after rotation. */
  readonly width: number;
  readonly height: number;
  /** Degrees clockwise the frames were rotated to display upright (the display matrix), 0 if none. */
  readonly rotation: number;
  readonly codec: string;
  /** ffmpeg processes run, and frames they decoded (undefined if ffmpeg did not report it). */
  readonly ffmpegRuns: number;
  readonly decodedFrames: number | undefined;
}

/**
 * The ffmpeg work on one video file under checked options: the file checked, the tools found, the
 * time limit counted from now.
 */
export async function openVideoJob(videoPath: string, opts: ReturnType<typeof checkVideoOptions>): Promise<VideoJob> {
  const deadline = Date.now() + opts.timeoutMs;
  await checkVideoFile(videoPath);
  const tools = await findFfmpegTools({ ffmpegPath: opts.ffmpegPath, ffprobePath: opts.ffprobePath });
  return {
    tools,
    displayPath: videoPath,
    inputArg: `file:${path.resolve(videoPath)}`,
    deadline,
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    maxPixels: opts.maxPixels,
  };
}

/**
 * Samples `numFrames` frames of a video file with ffprobe and ffmpeg (spawned directly, no shell)
 * and returns them as rgb24. A frame is what `ffmpeg -i video -f rawvideo -pix_fmt rgb24 -`
 * gives, byte for byte (ffmpeg's autorotation and default colour conversion), except that a
 * variable frame rate video is not resampled to a constant rate: frame i is the i-th frame the
 * decoder shows (`-fps_mode passthrough`), as PyAV or decord would count it.
 *
 * Only the needed frames are converted, and for long videos only the GOPs that hold them are
 * decoded (see `decodeMethod`). ffmpeg and ffprobe are killed on timeout or abort, and the call
 * settles only after they exited.
 *
 * Errors (GitcapError): E_INVALID_ARG bad options; E_NOT_FOUND no such file; E_INPUT empty or
 * unreadable file (with ffprobe's reason), no video stream, no frames, frame larger than
 * maxPixels, undecodable stream; E_FFMPEG ffmpeg/ffprobe missing (with install instructions),
 * crashed or over timeoutMs; E_ABORTED on abort.
 *
 * @example
 * const { frames, indices } = await readVideoFrames('clip.mp4', { numFrames: 6 });
 * // indices: [0, 19, 39, 59, 79, 99] for a 100-frame clip
 */
export async function readVideoFrames(videoPath: string, options: ReadVideoOptions): Promise<VideoFrames> {
  if (typeof videoPath !== 'string' || videoPath === '') throw invalidArg('videoPath', 'a non-empty string', videoPath);
  const opts = checkVideoOptions(options);
  throwIfAborted(opts.signal);
  const job = await openVideoJob(videoPath, opts);
  const probe = await probeVideo(job);
  const stats: DecodeStats = { ffmpegRuns: 0, decodedFrames: undefined };
  let timeline = probe.timeline;
  let indices = sampleFrameIndices(timeline, opts.numFrames, opts.sampling);
  let decoded = await decodeFrames(job, probe, timeline, distinctAscending(indices), opts.decodeMethod, true, stats);
  if (decoded === undefined) {
    // The packets promised frames the decoder does not give (e.g. a truncated file): count again by decoding.
    timeline = await probeDecodedFrames(job, probe);
    indices = sampleFrameIndices(timeline, opts.numFrames, opts.sampling);
    decoded = await decodeFrames(job, probe, timeline, distinctAscending(indices), 'select', false, stats);
  }
  if (decoded === undefined) {
    throw new GitcapError('E_INPUT', `Cannot decode video ${videoPath}: ffmpeg returned fewer frames than ffprobe counted`);
  }
  const frames = ownFrames(indices, decoded);
  return {
    frames,
    indices,
    timestamps: indices.map((index) => timeline.times[index]!),
    frameCount: timeline.count,
    fps: probe.fps ?? timeline.count / timeline.duration,
    duration: timeline.duration,
    width: frames[0]!.width,
    height: frames[0]!.height,
    rotation: probe.rotation,
    codec: probe.codec,
    ffmpegRuns: stats.ffmpegRuns,
    decodedFrames: stats.decodedFrames,
  };
}

export async function checkVideoFile(videoPath: string): Promise<void> {
  let info;
  try {
    info = await stat(videoPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new GitcapError('E_NOT_FOUND', `Video file not found: ${videoPath}`);
    throw new GitcapError('E_IO', `Cannot read video file ${videoPath}: ${(err as Error).message}`, { cause: err });
  }
  if (!info.isFile()) throw new GitcapError('E_INPUT', `Video path ${videoPath} is not a file`);
  if (info.size === 0) throw new GitcapError('E_INPUT', `Video file ${videoPath} is empty (0 bytes)`);
}

function distinctAscending(indices: readonly number[]): number[] {
  return [...new Set(indices)].sort((a, b) => a - b);
}

// A repeated index gets a copy, so no two returned frames share memory.
function ownFrames(indices: readonly number[], decoded: ReadonlyMap<number, RgbFrame>): RgbFrame[] {
  const used = new Set<number>();
  return indices.map((index) => {
    const frame = decoded.get(index)!;
    if (!used.has(index)) {
      used.add(index);
      return frame;
    }
    return { ...frame, data: frame.data.slice() };
  });
}
