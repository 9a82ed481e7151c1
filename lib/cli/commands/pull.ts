import { DEFAULT_REPO_ID, pullModel } from '../../hub/pull.js';
import { DEFAULT_QUANTIZATION, validateQuantization } from '../../hub/quantization.js';
import { QUANT_TYPES } from '../../../weights-convert/quant-types.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { PullReporter } from '../../terminal/pull-reporter.js';

export const summary = 'Download a GIT model from the Hugging Face hub and convert it to GGUF';

export const usage = `gitcap pull [<repo>] [--quant <type>] [--revision <rev>] [--keep-source] [--update] [--hf-cache]

Downloads <repo> (default ${DEFAULT_REPO_ID}) from the Hugging Face hub, converts it to a GGUF
and keeps it in the model cache; prints the GGUF's path. A cached model is not downloaded again,
and a checkpoint in the Hugging Face cache (of Python's huggingface_hub) is converted from there.

Options:
  --quant <type>     weight type: ${QUANT_TYPES.join(', ')} (default ${DEFAULT_QUANTIZATION})
  --revision <rev>   branch, tag or commit (default main)
  --keep-source      keep the downloaded checkpoint next to the GGUF
  --update           ask the hub which commit the revision is now, even when cached
  --hf-cache         download into the Hugging Face cache, in its layout, so Python tools share
                     it (default: GITCAP_USE_HF_CACHE=1); the GGUF stays in gitcap's cache

Environment: HF_TOKEN (gated or private repositories), HF_ENDPOINT (mirror), HF_HUB_OFFLINE=1
(cache only), HTTPS_PROXY / HTTP_PROXY / NO_PROXY, GITCAP_CACHE (cache folder), HF_HUB_CACHE or
HF_HOME (the Hugging Face cache), GITCAP_USE_HF_CACHE=1.`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      quant: { type: 'string' },
      revision: { type: 'string' },
      'keep-source': { type: 'boolean' },
      update: { type: 'boolean' },
      'hf-cache': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    usage,
    1,
  );
  if (values.help) {
    process.stdout.write(`Usage: ${usage}\n`);
    return 0;
  }
  const repoId = positionals[0] ?? DEFAULT_REPO_ID;
  const quantization = (values.quant as string | undefined) ?? DEFAULT_QUANTIZATION;
  validateQuantization(quantization);
  const reporter = new PullReporter(repoId);
  try {
    const result = await pullModel(repoId, {
      revision: values.revision as string | undefined,
      quantization,
      keepSource: values['keep-source'] === true,
      update: values.update === true,
      ...(values['hf-cache'] === true && { hfCache: true }),
      onProgress: reporter.onProgress,
    });
    reporter.finish(result);
    process.stdout.write(`${result.ggufPath}\n`);
    return 0;
  } catch (err) {
    reporter.abandon();
    throw err;
  }
}
