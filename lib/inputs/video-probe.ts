import { GitcapError } from '../../core/errors.js';
import { failureReason } from './ffmpeg-log.js';
import { runTool, type ToolResult } from './ffmpeg-process.js';
import { INPUT_PROTOCOLS, toolRun, type VideoJob } from './video-job.js';
import {
  parseRational,
  timelineFromDecodedFrames,
  timelineFromPackets,
  type FrameTimeline,
  type ProbedPacket,
  type Rational,
} from './video-timeline.js';

/** What decoding needs to know about the video stream, from one ffprobe run (no decoding). */
export interface VideoProbe {
  /** Index of the stream among all streams of the file (for `-map 0:N`). */
  readonly streamIndex: number;
  readonly codec: string;
  /** Stored frame size, before rotation. */
  readonly width: number;
  readonly height: number;
  /** Degrees clockwise that ffmpeg rotates the frames by (display matrix), normalized to [0, 360). */
  readonly rotation: number;
  /** Average frame rate, when the container states one. */
  readonly fps: number | undefined;
  readonly timeBase: Rational;
  /** The file's start time in µs, which ffmpeg adds to `-ss`. */
  readonly startTimeUs: number;
  /** The container has a keyframe index, so `-ss` lands on the keyframe at or before a time. */
  readonly indexedSeek: boolean;
  readonly timeline: FrameTimeline;
}

interface ProbeOutput {
  packets?: ProbedPacket[];
  streams?: ProbedStream[];
  format?: { format_name?: string; start_time?: string };
}

interface ProbedStream {
  index: number;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  time_base?: string;
  duration?: string;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
  tags?: { rotate?: string };
}

// Containers whose seeks use an index. Others (MPEG-TS, MPEG-PS, raw streams) seek by bisecting
// timestamps and may land after the wanted keyframe, so they are decoded from the start.
const INDEXED_FORMATS = new Set(['mov', 'mp4', 'matroska', 'webm', 'avi']);

// A JSON packet line is ~45 bytes: room for ~5 million frames (55 hours at 25 fps).
const MAX_PROBE_BYTES = 256 * 1024 * 1024;

/**
 * Reads the first video stream that is not cover art (`V:0`), its size and rotation, and every
 * packet's pts and flags. Packets are read but not decoded, so this costs a pass over the file's
 * bytes, not a decode; it gives the exact frame count and each frame's time also for variable
 * frame rate video and containers without a frame count (Matroska, WebM, MPEG-TS).
 */
export async function probeVideo(job: VideoJob): Promise<VideoProbe> {
  const args = [
    '-hide_banner', '-loglevel', 'level+error', ...INPUT_PROTOCOLS,
    '-select_streams', 'V:0',
    '-print_format', 'json=compact=1',
    '-show_entries',
    'stream=index,codec_name,width,height,avg_frame_rate,r_frame_rate,time_base,duration:' +
      'stream_side_data:stream_tags=rotate:format=format_name,start_time:packet=pts,duration,flags',
    '-i', job.inputArg,
  ];
  const result = await runTool(toolRun(job, 'ffprobe', args, { maxStdoutBytes: MAX_PROBE_BYTES }));
  const output = parseProbeOutput(job, checkExit(job, result));
  const stream = output.streams?.[0];
  if (stream === undefined) throw new GitcapError('E_INPUT', `Video file ${job.displayPath} has no video stream`);
  const width = stream.width ?? 0;
  const height = stream.height ?? 0;
  if (width <= 0 || height <= 0) throw new GitcapError('E_INPUT', `Video file ${job.displayPath} has no frame size`);
  if (width * height > job.maxPixels) {
    throw new GitcapError(
      'E_INPUT',
      `Video file ${job.displayPath} is ${width}x${height} (${width * height} pixels), more than maxPixels (${job.maxPixels})`,
    );
  }
  const fpsRational = parseRational(stream.avg_frame_rate) ?? parseRational(stream.r_frame_rate);
  const fps = fpsRational ? fpsRational.num / fpsRational.den : undefined;
  const timeBase = parseRational(stream.time_base) ?? { num: 1, den: 1_000_000 };
  const duration = stream.duration !== undefined ? Number(stream.duration) : undefined;
  const timeline = timelineFromPackets(output.packets ?? [], { timeBase, fps, duration });
  if (timeline.count === 0) throw new GitcapError('E_INPUT', `Video file ${job.displayPath} has no frames`);
  return {
    streamIndex: stream.index,
    codec: stream.codec_name ?? 'unknown',
    width,
    height,
    rotation: rotationOf(stream),
    fps,
    timeBase,
    startTimeUs: Math.round(Number(output.format?.start_time ?? 0) * 1e6) || 0,
    indexedSeek: (output.format?.format_name ?? '').split(',').some((name) => INDEXED_FORMATS.has(name)),
    timeline,
  };
}

/**
 * The frames the decoder really produces, with their pts: decodes the whole stream, so it is
 * used only when the packet-based timeline turned out wrong (e.g. a truncated file).
 */
export async function probeDecodedFrames(job: VideoJob, probe: VideoProbe): Promise<FrameTimeline> {
  const args = [
    '-hide_banner', '-loglevel', 'level+error', ...INPUT_PROTOCOLS,
    '-select_streams', String(probe.streamIndex),
    '-print_format', 'json=compact=1',
    '-show_entries', 'frame=best_effort_timestamp',
    '-i', job.inputArg,
  ];
  const result = await runTool(toolRun(job, 'ffprobe', args, { maxStdoutBytes: MAX_PROBE_BYTES }));
  const output = parseProbeOutput(job, checkExit(job, result)) as { frames?: { best_effort_timestamp?: number }[] };
  const pts = (output.frames ?? []).map((frame) => frame.best_effort_timestamp ?? null);
  const timeline = timelineFromDecodedFrames(pts, { timeBase: probe.timeBase, fps: probe.fps, duration: undefined });
  if (timeline.count === 0) throw new GitcapError('E_INPUT', `Video file ${job.displayPath} has no frames`);
  return timeline;
}

/** Non-zero exit: the file could not be opened or read; ffprobe's own reason goes in the message. */
function checkExit(job: VideoJob, result: ToolResult): Buffer {
  if (result.exitSignal !== null) {
    throw new GitcapError('E_FFMPEG', `ffprobe was killed by ${result.exitSignal} on ${job.displayPath}`);
  }
  if (result.exitCode !== 0) {
    const reason = failureReason(result.stderrTail, job.inputArg) || `ffprobe exited with code ${result.exitCode}`;
    throw new GitcapError('E_INPUT', `Cannot read video ${job.displayPath}: ${reason}`);
  }
  return result.stdout;
}

function parseProbeOutput(job: VideoJob, stdout: Buffer): ProbeOutput {
  try {
    return JSON.parse(stdout.toString('utf8')) as ProbeOutput;
  } catch (err) {
    throw new GitcapError('E_FFMPEG', `ffprobe printed output that is not JSON for ${job.displayPath}`, { cause: err });
  }
}

// ffprobe prints the display matrix angle counterclockwise; ffmpeg rotates by its negation.
// ffprobe before 5.0 gave a clockwise "rotate" tag instead.
function rotationOf(stream: ProbedStream): number {
  const matrix = stream.side_data_list?.find((entry) => entry.side_data_type === 'Display Matrix');
  const clockwise = matrix?.rotation !== undefined ? -Math.round(matrix.rotation) : Number(stream.tags?.rotate ?? 0) || 0;
  return ((clockwise % 360) + 360) % 360;
}
