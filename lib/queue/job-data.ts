// What travels through Redis: the data of a caption job and the value it returns. Plain JSON,
// so that any BullMQ client (or a dashboard) can read it.
import type { JobCaptionOptions } from '../options/caption-option-table.js';
import type { Timings } from '../model.js';

/** Where the worker finds the input: a path every worker can read (shared filesystem), or a URL. */
export type JobSource = { path: string; size: number; mtimeMs: number } | { url: string };

/** The caption options a job may carry: those of caption-option-table.ts marked `job` (plain data). */
export { JOB_CAPTION_OPTIONS, type JobCaptionOptions } from '../options/caption-option-table.js';

export interface CaptionJobData {
  /** The input as the user named it (for output lines). */
  file: string;
  source: JobSource;
  kind: 'video' | 'image';
  options: JobCaptionOptions;
}

/** A job's return value. */
export interface CaptionJobResult {
  text: string;
  tokenIds: number[];
  timings: Timings;
  /** The model's name (from its GGUF) and weight type, e.g. "git-base-vatex (q8_0)". */
  model: string;
  /** SHA-256 of the bytes that were captioned, hex. */
  fileSha256: string;
}

export const DEFAULT_QUEUE = 'gitcap';
/** The BullMQ job name of caption jobs. */
export const JOB_NAME = 'caption';
