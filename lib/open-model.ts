// The model of `gitcap caption --model <m>` and of the server: a GGUF file, a checkpoint folder
// (converted once, cached) or a hub repository id (pulled into the cache); none: the default hub
// model. Progress of a download or a conversion goes to stderr.
import { GitcapError } from '../core/errors.js';
import { DEFAULT_REPO_ID, pullModel } from './hub/pull.js';
import { DEFAULT_QUANTIZATION, type QuantType } from './hub/quantization.js';
import { loadModelRef, type GitModel } from './model.js';
import { resolveModelRef, type ModelRef } from './model-ref.js';
import type { Backend, LoadProgress } from './options/load-options.js';
import { ProgressBar } from './terminal/progress-bar.js';
import { PullReporter } from './terminal/pull-reporter.js';

export interface OpenModelOptions {
  quantization: QuantType | undefined;
  backend: Backend | undefined;
  threads: number | undefined;
  signal: AbortSignal;
}

const NOT_FOUND_HINT = ' (--model takes a GGUF file, a checkpoint folder or a hub repository owner/name)';

export async function openModel(model: string | undefined, o: OpenModelOptions): Promise<GitModel> {
  const ref: ModelRef =
    model === undefined ? { kind: 'hub', repoId: DEFAULT_REPO_ID } : await resolveModelRef(model, { hubIds: true, notFoundHint: NOT_FOUND_HINT });
  const load = { backend: o.backend, threads: o.threads, signal: o.signal };
  if (ref.kind === 'hub') return loadModelRef({ kind: 'gguf', path: await pull(ref.repoId, o) }, load);
  if (ref.kind === 'gguf') {
    if (o.quantization !== undefined) {
      throw new GitcapError('E_INVALID_ARG', `--quant applies to a checkpoint folder or a hub repository, not to the GGUF file ${ref.path}`);
    }
    return loadModelRef(ref, load);
  }
  const bar = process.stderr.isTTY ? new ProgressBar(`Converting ${ref.path}`) : undefined;
  try {
    const loaded = await loadModelRef(ref, {
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
