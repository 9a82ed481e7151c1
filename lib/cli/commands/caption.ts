import { statSync } from 'node:fs';
import { GitcapError, isGitcapError, type GitcapErrorCode } from '../../../core/errors.js';
import { DEFAULT_REPO_ID } from '../../hub/pull.js';
import { DEFAULT_QUANTIZATION } from '../../hub/quantization.js';
import type { CaptionOptions } from '../../options/caption-options.js';
import type { CaptionResult, GitModel } from '../../model.js';
import { QUANT_TYPES } from '../../../weights-convert/quant-types.js';
import { BACKENDS, CAPTION_FLAGS, parseCaptionFlags } from '../caption-flags.js';
import { captionJobs, type CaptionJob } from '../caption-inputs.js';
import { batchFiles, runBatch } from '../caption-batch.js';
import { parseCaptionMode, type CaptionMode } from '../caption-mode-flags.js';
import { runSegments } from '../caption-segments-run.js';
import { openModel } from '../../open-model.js';
import { parseCommandArgs } from '../parse-command-args.js';

export const summary = 'Caption videos and images (or answer a question about them)';

export const usage = `gitcap caption <file...> [options]

Captions each video (mp4, mov, mkv, webm, avi, m4v, ...) and each image (PNG, JPEG, GIF, ...),
one line per file, printed as it is generated. With several files each line starts with
"<file>: ". \`gitcap <file...> [options]\` is the same command.

Model:
  --model <m>                  a GGUF file, a checkpoint folder (converted once, cached) or a hub
                               repository owner/name (downloaded once, cached); default
                               ${DEFAULT_REPO_ID} from the hub
  --quant <type>               weight type when converting: ${QUANT_TYPES.join(', ')}
                               (default ${DEFAULT_QUANTIZATION})
  --backend <b>                ${BACKENDS.join(', ')} (default auto: a GPU when one is usable)
  --threads <n>                CPU threads (default: the free physical cores, per graph)

Input and output:
  --frames                     the images are the frames of one video: one caption
  --sampling <s>               video frames: uniform (default), window:<rate>[:<seed>] or
                               timestamps:<seconds>,<seconds>,...
  --prompt <question>          answer this question about the input instead of captioning
  --json                       one JSON object per line and input instead: {"file" (--frames:
                               "files"), "text", "tokenIds", "timings"}; a failed input gives
                               {"file", "error": {"code", "message"}}

Long videos and folders:
  --segments <seconds>[s]      one video: a caption per segment of that length, in order
  --format <f>                 with --segments: text ("[start-end] caption" lines, default),
                               jsonl, srt or vtt (default from the -o file's extension)
  -o, --output <file>          with --segments: write there instead of stdout
  <folder>, -r, --recursive    every image and video in the folder (-r: and below it), sorted;
                               "-" reads the paths from stdin, one a line. One JSON line per
                               file as it finishes; a file that fails is an error line
  --jsonl <file>               write those JSON lines to <file> instead of stdout
  --resume                     with --jsonl: skip the files already in <file>
  --concurrency <n>            captions at once on the model (default 1)

Generation:
  --max-new-tokens <n>         new tokens at most (default 20)
  --min-new-tokens <n>         no end of text before this many tokens (default 0)
  --beams <n>                  beam search with n beams (default 1: greedy, or sampling)
  --temperature <t>            > 0 samples from the distribution (default 0: greedy)
  --top-k <k>                  sampling: only the k most likely tokens (default 0: all)
  --top-p <p>                  sampling: only the most likely tokens that reach p (default 1)
  --seed <s>                   sampling: random seed (default 0)
  --repetition-penalty <r>     > 1 discourages repeated tokens (default 1)

A progress bar (done, failed, ETA) goes to stderr when it is a terminal.

Exit status: 0 every input captioned, 1 an error (the message ends with its code, e.g.
E_NOT_FOUND; the other inputs are still captioned), 2 a usage error, 130 interrupted (Ctrl-C),
141 stdout closed by its reader.

Environment: GITCAP_CACHE (model cache), HF_TOKEN, HF_ENDPOINT, HF_HUB_OFFLINE=1 (cache only),
FFMPEG_PATH / FFPROBE_PATH (video).`;

/** Failures of one input: the next inputs are still captioned. */
const INPUT_ERRORS: ReadonlySet<GitcapErrorCode> = new Set(['E_INPUT', 'E_NOT_FOUND', 'E_IO', 'E_FFMPEG']);

export const EXIT_INTERRUPTED = 130;
/** What a program killed by SIGPIPE exits with: the reader of stdout went away. */
export const EXIT_BROKEN_PIPE = 141;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, CAPTION_FLAGS, usage, Infinity);
  if (values.help) {
    process.stdout.write(`Usage: ${usage}\n`);
    return 0;
  }
  if (positionals.length === 0) {
    throw new GitcapError('E_INVALID_ARG', `Missing <file>: a video or image to caption\nUsage: ${usage.split('\n')[0]}`);
  }
  const flags = parseCaptionFlags(values);
  const mode = parseCaptionMode(values, positionals, (input) => statSync(input, { throwIfNoEntry: false })?.isDirectory() === true);

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint); // a second Ctrl-C kills the process
  // `gitcap caption ... | head -1`: stop once the reader is gone. The listener stays: the error
  // of a write still in flight may come after run() has returned.
  let brokenPipe = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    brokenPipe = true;
    controller.abort();
  });
  let model: GitModel | undefined;
  try {
    if (mode.kind !== 'files') return await runMode(mode, flags, controller.signal, (opened) => (model = opened));
    const jobs = await captionJobs(positionals, flags.frames);
    model = await openModel(flags.model, { ...flags, signal: controller.signal });
    checkTokenLimit(flags.caption.maxNewTokens, model.info.text.maxPositions);
    const options: CaptionOptions = { ...flags.caption, signal: controller.signal };
    const print = flags.json ? captionAsJson : captionAsText;
    let failed = false;
    for (const job of jobs) {
      try {
        await print(model, job, options, jobs.length > 1);
      } catch (err) {
        if (!isGitcapError(err) || !INPUT_ERRORS.has(err.code)) throw err;
        failed = true;
        const file = job.files.length === 1 ? job.files[0]! : undefined;
        reportError(err, file !== undefined && !err.message.startsWith(`${file}: `) ? `${file}: ` : '');
        if (flags.json) writeLine(JSON.stringify({ ...fileField(job), error: { code: err.code, message: err.message } }));
      }
    }
    return failed ? 1 : 0;
  } catch (err) {
    if (controller.signal.aborted && isGitcapError(err, 'E_ABORTED')) return brokenPipe ? EXIT_BROKEN_PIPE : EXIT_INTERRUPTED;
    if (!isGitcapError(err) || err.code === 'E_INVALID_ARG') throw err;
    reportError(err);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await model?.dispose();
  }
}

/** --segments and folder runs: the inputs are checked (or listed) before the model is loaded. */
async function runMode(
  mode: Exclude<CaptionMode, { kind: 'files' }>,
  flags: ReturnType<typeof parseCaptionFlags>,
  signal: AbortSignal,
  opened: (model: GitModel) => void,
): Promise<number> {
  const files = mode.kind === 'segments' ? (await captionJobs([mode.video], false)).map((job) => job.files[0]!) : await batchFiles(mode);
  const model = await openModel(flags.model, { ...flags, signal });
  opened(model);
  checkTokenLimit(flags.caption.maxNewTokens, model.info.text.maxPositions);
  const options: CaptionOptions = { ...flags.caption, signal };
  return mode.kind === 'segments' ? runSegments(model, mode, options) : runBatch(model, files, mode, options);
}

/** The model's positions bound --max-new-tokens; said with the flag's name, not the API's. */
function checkTokenLimit(maxNewTokens: number | undefined, maxPositions: number): void {
  if (maxNewTokens !== undefined && maxNewTokens > maxPositions - 1) {
    throw new GitcapError(
      'E_INVALID_ARG',
      `Expected an integer between 0 and ${maxPositions - 1} for --max-new-tokens (the model has ${maxPositions} text positions) but received "${maxNewTokens}"`,
    );
  }
}

/** Streams the caption as it is generated; "<file>: " first when there are several inputs. */
async function captionAsText(model: GitModel, job: CaptionJob, options: CaptionOptions, withName: boolean): Promise<void> {
  let lineOpen = false;
  const open = () => {
    if (!lineOpen && withName) process.stdout.write(`${job.files[0]}: `);
    lineOpen = true;
  };
  try {
    const stream = model.captionStream(job.input, options);
    for await (const piece of stream) {
      open();
      process.stdout.write(piece);
    }
    await stream.result;
    open();
  } finally {
    if (lineOpen) process.stdout.write('\n');
  }
}

async function captionAsJson(model: GitModel, job: CaptionJob, options: CaptionOptions): Promise<void> {
  const r: CaptionResult = await model.caption(job.input, options);
  writeLine(JSON.stringify({ ...fileField(job), text: r.text, tokenIds: r.tokenIds, timings: r.timings }));
}

function fileField(job: CaptionJob): { file: string } | { files: string[] } {
  return 'frames' in job.input ? { files: job.files } : { file: job.files[0]! };
}

function writeLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The message ends with the error's code; `where` names the input when the message does not. */
function reportError(err: GitcapError, where = ''): void {
  process.stderr.write(`gitcap caption: ${where}${err.message} (${err.code})\n`);
}
