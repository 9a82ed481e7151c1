// `gitcap caption <video> --segments <seconds>`: one caption per segment of a long video, written
// as each is made (text lines, JSON lines, SubRip or WebVTT), to stdout or -o <file>.
import { closeSync, openSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import type { CaptionOptions } from '../options/caption-options.js';
import { GitcapError } from '../../core/errors.js';
import type { GitModel } from '../model.js';
import { formatHeader, formatSegment } from '../segments/segment-formats.js';
import type { CaptionMode } from './caption-mode-flags.js';
import { ProgressBar } from '../terminal/progress-bar.js';

type SegmentsMode = Extract<CaptionMode, { kind: 'segments' }>;

/** Opens the output before any captioning, so that a bad -o path fails at once. */
function openOutput(file: string | undefined): { write: (text: string) => void; close: () => void } {
  if (file === undefined) return { write: (text) => void process.stdout.write(text), close: () => {} };
  let fd: number;
  try {
    fd = openSync(file, 'w');
  } catch (err) {
    throw new GitcapError('E_IO', `${file}: cannot write the file (${(err as Error).message})`, { cause: err });
  }
  return { write: (text) => void writeSync(fd, text), close: () => closeSync(fd) };
}

export async function runSegments(model: GitModel, mode: SegmentsMode, options: CaptionOptions): Promise<number> {
  const out = openOutput(mode.output);
  const bar = process.stderr.isTTY ? new ProgressBar(`Captioning ${basename(mode.video)}`, { unit: 'count' }) : undefined;
  let total: number | undefined;
  let done = 0;
  try {
    const { onToken: _onToken, sampling: _sampling, ...captionOptions } = options;
    const segments = model.captionSegments(
      { video: mode.video },
      {
        ...captionOptions,
        segmentSeconds: mode.segmentSeconds,
        concurrency: mode.concurrency,
        onSegments: (bounds) => {
          total = bounds.length;
          out.write(formatHeader(mode.format));
          bar?.update(0, total);
        },
      },
    );
    for await (const segment of segments) {
      out.write(formatSegment(segment, mode.format));
      done += 1;
      bar?.update(done, total);
    }
    return 0;
  } finally {
    bar?.finish();
    out.close();
  }
}
