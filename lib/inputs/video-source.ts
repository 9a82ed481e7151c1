// A video opened once (one ffprobe pass) from which frames are then read by index, as often as
// needed: what captioning a long video segment by segment uses. Each read seeks to the frames it
// needs (see video-decode-plan.ts), so the video is never decoded whole nor held in memory.
import { GitcapError, throwIfAborted } from '../../core/errors.js';
import { checkInteger, invalidArg } from './arg-checks.js';
import type { RgbFrame } from './rgb-frame.js';
import { decodeFrames, type DecoderSettings, type DecodeStats } from './video-decode.js';
import type { VideoJob } from './video-job.js';
import { checkVideoOptions, type ReadVideoOptions } from './video-options.js';
import { probeDecodedFrames, probeVideo, type VideoProbe } from './video-probe.js';
import type { FrameTimeline } from './video-timeline.js';
import { openVideoJob } from './video.js';

export type VideoSourceOptions = Omit<ReadVideoOptions, 'numFrames' | 'sampling'> & {
  /**
   * ffmpeg's decoder threads: 0 (default) lets ffmpeg choose, the fastest read when nothing else
   * runs; 1 decodes with the least CPU, for reads that overlap other work (about a quarter less
   * for H.264 on two cores).
   */
  readonly decoderThreads?: number;
};

export class VideoSource {
  /** ffmpeg runs and decoded frames over every read. */
  readonly stats: DecodeStats = { ffmpegRuns: 0, decodedFrames: undefined };
  #timeline: FrameTimeline;
  #timelineFromDecoder = false;

  private constructor(
    private readonly job: VideoJob,
    readonly probe: VideoProbe,
    private readonly decodeMethod: NonNullable<ReadVideoOptions['decodeMethod']>,
    private readonly decoder: DecoderSettings,
  ) {
    this.#timeline = probe.timeline;
  }

  /**
   * Probes the file (its frames' times from the packets, no decoding). `timeoutMs` bounds the
   * probe and then each read on its own, so a long video is not cut off by one overall limit.
   */
  static async open(videoPath: string, options: VideoSourceOptions = {}): Promise<VideoSource> {
    if (typeof videoPath !== 'string' || videoPath === '') throw invalidArg('videoPath', 'a non-empty string', videoPath);
    const opts = checkVideoOptions({ ...options, numFrames: 1 });
    const threads = options.decoderThreads === undefined ? 0 : checkInteger('decoderThreads', options.decoderThreads, 0, 256);
    throwIfAborted(opts.signal);
    const job = await openVideoJob(videoPath, opts);
    return new VideoSource(job, await probeVideo(job), opts.decodeMethod, { threads });
  }

  /** The frames in presentation order with their times; may be replaced once (see readFrames). */
  get timeline(): FrameTimeline {
    return this.#timeline;
  }

  /**
   * The frames at these presentation indices (ascending, distinct), each its own buffer. Returns
   * undefined once, when the decoder gives other frames than the packets promised (a truncated
   * file): `timeline` is then the decoder's own count, and the caller chooses its frames again.
   */
  async readFrames(indices: readonly number[]): Promise<Map<number, RgbFrame> | undefined> {
    const job = { ...this.job, deadline: Date.now() + this.job.timeoutMs };
    throwIfAborted(job.signal);
    const method = this.#timelineFromDecoder ? 'select' : this.decodeMethod;
    const checkPts = !this.#timelineFromDecoder;
    const decoded = await decodeFrames(job, this.probe, this.#timeline, indices, method, checkPts, this.stats, this.decoder);
    if (decoded !== undefined) return decoded;
    if (this.#timelineFromDecoder) {
      throw new GitcapError('E_INPUT', `Cannot decode video ${job.displayPath}: ffmpeg returned fewer frames than ffprobe counted`);
    }
    this.#timeline = await probeDecodedFrames(job, this.probe);
    this.#timelineFromDecoder = true;
    return undefined;
  }
}
