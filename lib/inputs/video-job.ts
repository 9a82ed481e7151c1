import type { FfmpegTools } from './ffmpeg.js';
import type { ToolRun } from './ffmpeg-process.js';

/** What every ffprobe/ffmpeg run of one readVideoFrames call shares. */
export interface VideoJob {
  readonly tools: FfmpegTools;
  /** The path as the caller gave it, for messages. */
  readonly displayPath: string;
  /** "file:/abs/path": the file protocol, so a name like "a:b.mp4" or "-x.mp4" is never misread. */
  readonly inputArg: string;
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  readonly maxPixels: number;
}

// Local files only: no network or other protocols reached through playlists or concat lists.
export const INPUT_PROTOCOLS = ['-protocol_whitelist', 'file'];

export function toolRun(
  job: VideoJob,
  tool: keyof FfmpegTools,
  args: readonly string[],
  extra: Pick<ToolRun, 'maxStdoutBytes' | 'onStdout' | 'onStderrLine'>,
): ToolRun {
  return {
    file: job.tools[tool],
    args,
    what: `${tool} on ${job.displayPath}`,
    deadline: job.deadline,
    timeoutMs: job.timeoutMs,
    signal: job.signal,
    ...extra,
  };
}
