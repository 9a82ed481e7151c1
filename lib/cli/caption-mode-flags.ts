// Which way `gitcap caption` runs: files one after the other (the default), one long video in
// segments (--segments), or a folder or list of files as a batch (a folder, `-`, --jsonl).
import { formatOfFileName, SEGMENT_FORMATS, type SegmentFormat } from '../segments/segment-formats.js';
import { integerFlag, usageError, type FlagValues } from './flag-values.js';

export type CaptionMode =
  | { kind: 'files' }
  | { kind: 'segments'; video: string; segmentSeconds: number; format: SegmentFormat; output: string | undefined; concurrency: number | undefined }
  | {
      kind: 'batch';
      /** Folders and files as given; `-` reads the list from stdin. */
      sources: string[];
      recursive: boolean;
      jsonl: string | undefined;
      resume: boolean;
      concurrency: number;
    };

const MAX_CONCURRENCY = 64;

/** "10", "10s", "2.5s": seconds above 0. */
export function parseSegmentSeconds(text: string): number {
  const match = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*s?\s*$/.exec(text);
  const seconds = match ? Number(match[1]) : NaN;
  if (!(seconds > 0) || !Number.isFinite(seconds)) {
    throw usageError(`Expected a number of seconds above 0 (e.g. 10 or 10s) for --segments but received ${JSON.stringify(text)}`);
  }
  return seconds;
}

/**
 * The mode the flags and inputs ask for. `isFolder` tells the folders among the inputs (they
 * were checked to exist before).
 */
export function parseCaptionMode(values: FlagValues, inputs: string[], isFolder: (input: string) => boolean): CaptionMode {
  const concurrency = integerFlag(values, 'concurrency', 1, MAX_CONCURRENCY);
  const output = values.output as string | undefined;
  const formatText = values.format as string | undefined;
  if (values.segments !== undefined) {
    const segmentSeconds = parseSegmentSeconds(values.segments as string);
    if (inputs.length !== 1 || inputs[0] === '-' || isFolder(inputs[0]!)) {
      throw usageError('--segments takes one video file');
    }
    for (const flag of ['frames', 'recursive', 'resume', 'jsonl', 'sampling'] as const) {
      if (values[flag] !== undefined) throw usageError(`--${flag} does not go with --segments`);
    }
    if (formatText !== undefined && !SEGMENT_FORMATS.includes(formatText as SegmentFormat)) {
      throw usageError(`Expected one of ${SEGMENT_FORMATS.join(', ')} for --format but received ${JSON.stringify(formatText)}`);
    }
    const format =
      (formatText as SegmentFormat | undefined) ?? (values.json ? 'jsonl' : output !== undefined ? formatOfFileName(output) : undefined) ?? 'text';
    return { kind: 'segments', video: inputs[0]!, segmentSeconds, format, output, concurrency };
  }
  for (const flag of ['format', 'output'] as const) {
    if (values[flag] !== undefined) throw usageError(`--${flag} goes with --segments (folders and lists: --jsonl <file>)`);
  }
  const batch = inputs.includes('-') || inputs.some(isFolder) || values.jsonl !== undefined;
  if (!batch) {
    for (const flag of ['recursive', 'resume', 'concurrency'] as const) {
      if (values[flag] !== undefined) throw usageError(`--${flag} goes with a folder, - (a list on stdin) or --jsonl <file>`);
    }
    return { kind: 'files' };
  }
  if (values.frames) throw usageError('--frames does not go with a folder, - or --jsonl');
  if (values.resume && values.jsonl === undefined) throw usageError('--resume needs --jsonl <file>: the output it continues');
  if (inputs.filter((input) => input === '-').length > 1) throw usageError('- (the list on stdin) may be given once');
  return {
    kind: 'batch',
    sources: inputs,
    recursive: values.recursive === true,
    jsonl: values.jsonl as string | undefined,
    resume: values.resume === true,
    concurrency: concurrency ?? 1,
  };
}
