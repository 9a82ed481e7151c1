// The files given to `gitcap caption`, as the inputs to caption one after the other.
import { stat } from 'node:fs/promises';
import { GitcapError } from '../../core/errors.js';
import type { CaptionInput } from '../model-input.js';
import { isVideoFile } from '../inputs/media-files.js';

export interface CaptionJob {
  /** The files this caption is of: one, or the frames given with --frames. */
  files: string[];
  input: CaptionInput;
}

/** Every file must exist before a model is loaded (or downloaded) for them. */
async function checkFile(file: string): Promise<void> {
  const st = await stat(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw new GitcapError('E_NOT_FOUND', `${file}: no such file`);
    throw new GitcapError('E_IO', `${file}: ${err.message}`, { cause: err });
  });
  if (st.isDirectory()) throw new GitcapError('E_INPUT', `${file}: is a folder, not an image or a video`);
}

/**
 * One caption per video or image; with `asFrames`, one caption of all the images as the frames of
 * one video.
 */
export async function captionJobs(files: string[], asFrames: boolean): Promise<CaptionJob[]> {
  if (asFrames) {
    const video = files.find(isVideoFile);
    if (video !== undefined) {
      throw new GitcapError('E_INVALID_ARG', `--frames takes images, but ${video} is a video: give it without --frames`);
    }
  }
  for (const file of files) await checkFile(file);
  if (asFrames) return [{ files, input: { frames: files } }];
  return files.map((file) => ({ files: [file], input: isVideoFile(file) ? { video: file } : { image: file } }));
}
