// `gitcap caption <folder> --recursive --jsonl <out>` and `gitcap caption -` (paths on stdin):
// every file captioned once, one JSON line each as it finishes, `--concurrency` at once on the
// model. A file that cannot be read is an error line and the run goes on; --resume skips the
// files already in the output.
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { CaptionOptions } from '../options/caption-options.js';
import { GitcapError, isGitcapError, type GitcapErrorCode } from '../../core/errors.js';
import { isVideoFile } from '../inputs/media-files.js';
import { listMediaFiles } from '../inputs/walk-inputs.js';
import type { GitModel } from '../model.js';
import type { CaptionMode } from './caption-mode-flags.js';
import { openJsonlOutput, type JsonlOutput } from './jsonl-output.js';
import { ProgressBar } from '../terminal/progress-bar.js';

type BatchMode = Extract<CaptionMode, { kind: 'batch' }>;

/** Failures of one file: the run goes on. */
const FILE_ERRORS: ReadonlySet<GitcapErrorCode> = new Set(['E_INPUT', 'E_NOT_FOUND', 'E_IO', 'E_FFMPEG']);

/** The paths on stdin, one a line (blank lines skipped). */
async function readStdinList(): Promise<string[]> {
  const paths: string[] = [];
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() !== '') paths.push(line);
  }
  return paths;
}

/** Every file of the run, in order, each once: folders walked, `-` read, files as given. */
export async function batchFiles(mode: BatchMode): Promise<string[]> {
  const files: string[] = [];
  for (const source of mode.sources) {
    if (source === '-') files.push(...(await readStdinList()));
    else if ((await stat(source).catch(() => undefined))?.isDirectory()) {
      files.push(...(await listMediaFiles(source, { recursive: mode.recursive })));
    } else files.push(source);
  }
  return [...new Set(files)];
}

function stdoutLines(): JsonlOutput {
  return { done: new Set(), writeLine: (record) => void process.stdout.write(`${JSON.stringify(record)}\n`), close: () => {} };
}

export async function runBatch(model: GitModel, files: string[], mode: BatchMode, options: CaptionOptions): Promise<number> {
  const output = mode.jsonl === undefined ? stdoutLines() : openJsonlOutput(mode.jsonl, mode.resume);
  const todo = files.filter((file) => !output.done.has(file));
  const bar = process.stderr.isTTY ? new ProgressBar('Captioning', { unit: 'count' }) : undefined;
  let finished = 0;
  let failures = 0;
  const show = () => bar?.update(finished, todo.length, failures > 0 ? `Captioning (${failures} failed)` : 'Captioning');
  let next = 0;
  let stopped = false; // a failure that is not the file's own ends the run

  const captionFile = async (file: string) => {
    try {
      const r = await model.caption(isVideoFile(file) ? { video: file } : { image: file }, options);
      output.writeLine({ file, text: r.text, tokenIds: r.tokenIds, timings: r.timings });
    } catch (err) {
      if (!isGitcapError(err) || !FILE_ERRORS.has(err.code) || options.signal?.aborted) {
        stopped = true;
        throw err;
      }
      failures += 1;
      output.writeLine({ file, error: { code: err.code, message: withFileName(err.message, file) } });
    }
    finished += 1;
    show();
  };
  const worker = async () => {
    while (next < todo.length && !stopped && !options.signal?.aborted) await captionFile(todo[next++]!);
  };

  show();
  try {
    const workers = Array.from({ length: Math.min(mode.concurrency, Math.max(1, todo.length)) }, worker);
    const results = await Promise.allSettled(workers);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    if (options.signal?.aborted) throw new GitcapError('E_ABORTED', 'The operation was aborted');
  } finally {
    bar?.finish(`Captioned ${finished} of ${todo.length} files${failures > 0 ? `, ${failures} failed` : ''}`);
    output.close();
  }
  return failures > 0 ? 1 : 0;
}

/** Error lines name their file in the message too, as the other caption errors do. */
function withFileName(message: string, file: string): string {
  return message.includes(file) ? message : `${file}: ${message}`;
}
