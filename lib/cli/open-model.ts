// The model of `gitcap caption --model <m>`: a GGUF file, a checkpoint folder (converted once,
// cached) or a hub repository id (pulled into the cache); none: the default hub model.
import { stat } from 'node:fs/promises';
import { GitcapError } from '../../core/errors.js';
import { DEFAULT_REPO_ID, pullModel } from '../hub/pull.js';
import { DEFAULT_QUANTIZATION, type QuantType } from '../hub/quantization.js';
import { GitModel, type Backend, type LoadProgress } from '../model.js';
import { ProgressBar } from './progress.js';
import { PullReporter } from './pull-progress.js';

export interface OpenModelOptions {
  quantization: QuantType | undefined;
  backend: Backend | undefined;
  threads: number | undefined;
  signal: AbortSignal;
}

/** `owner/name` that is not a local path: a hub repository. */
function looksLikeRepoId(model: string): boolean {
  return /^[^./\\][^/\\]*\/[^/\\]+$/.test(model) && !model.toLowerCase().endsWith('.gguf');
}

export async function openModel(model: string | undefined, o: OpenModelOptions): Promise<GitModel> {
  const load = { ...(o.backend !== undefined && { backend: o.backend }), ...(o.threads !== undefined && { threads: o.threads }), signal: o.signal };
  if (model === undefined) return GitModel.load(await pull(DEFAULT_REPO_ID, o), load);
  const st = await stat(model).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT' && err.code !== 'ENOTDIR') throw new GitcapError('E_IO', `${model}: ${err.message}`, { cause: err });
    return undefined;
  });
  if (st === undefined) {
    if (looksLikeRepoId(model)) return GitModel.load(await pull(model, o), load);
    throw new GitcapError('E_NOT_FOUND', `${model}: no such file or folder (--model takes a GGUF file, a checkpoint folder or a hub repository owner/name)`);
  }
  if (st.isFile()) {
    if (o.quantization !== undefined) {
      throw new GitcapError('E_INVALID_ARG', `--quant applies to a checkpoint folder or a hub repository, not to the GGUF file ${model}`);
    }
    return GitModel.load(model, load);
  }
  const bar = process.stderr.isTTY ? new ProgressBar(`Converting ${model}`) : undefined;
  try {
    const loaded = await GitModel.load(model, {
      ...load,
      quantization: o.quantization ?? DEFAULT_QUANTIZATION,
      onProgress: (p: LoadProgress) => {
        if (p.phase === 'convert') bar?.update(p.bytesDone, p.bytesTotal);
      },
    });
    bar?.finish();
    return loaded;
  } catch (err) {
    bar?.finish();
    throw err;
  }
}

/** The cached GGUF of a hub model, downloaded and converted first when missing. */
async function pull(repoId: string, o: OpenModelOptions): Promise<string> {
  const reporter = new PullReporter(repoId);
  try {
    const result = await pullModel(repoId, {
      quantization: o.quantization ?? DEFAULT_QUANTIZATION,
      onProgress: reporter.onProgress,
      signal: o.signal,
    });
    // A cached model is used silently; a download ends with one line saying what was fetched.
    if (result.fromCache) reporter.abandon();
    else reporter.finish(result);
    return result.ggufPath;
  } catch (err) {
    reporter.abandon();
    throw err;
  }
}
