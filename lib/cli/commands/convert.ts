import { GitcapError } from '../../../core/errors.js';
import { convertCheckpoint, DEFAULT_TYPE, isQuantType, QUANT_TYPES, type QuantType } from '../../../weights-convert/index.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { formatBytes, ProgressBar } from '../../terminal/progress-bar.js';

export const summary = 'Convert a Hugging Face GIT checkpoint folder to a GGUF file';

export const usage = `gitcap convert <hf-dir> -o <out.gguf> [--type <type>] [--output-type <type>] [--token-embd-type <type>]

Converts the checkpoint in <hf-dir> (config.json, preprocessor_config.json, vocab.txt or
tokenizer.json, and model.safetensors, a sharded model.safetensors.index.json or
pytorch_model.bin) into one GGUF file. The file appears only once it is complete. Prints its path.

Options:
  -o, --output <file>        the GGUF to write (replaced if it exists)
  --type <type>              matmul weights: ${QUANT_TYPES.join(', ')} (default ${DEFAULT_TYPE})
  --output-type <type>       the LM head, output.weight (default: --type)
  --token-embd-type <type>   the token embeddings, token_embd.weight (default: --type)
  --weights <file>           the weights file inside <hf-dir>, e.g. model-f16.safetensors
  --name <name>              general.name (default: config.json's _name_or_path or the folder name)

Norms, biases and position/class/temporal embeddings stay F32 and the patch embedding F16 (F32
with --type f32); see README, "Converting models".`;

function typeValue(value: string | boolean | undefined, option: string): QuantType | undefined {
  if (value === undefined) return undefined;
  if (!isQuantType(value)) {
    throw new GitcapError('E_INVALID_ARG', `Expected one of ${QUANT_TYPES.join(', ')} for ${option} but received ${JSON.stringify(value)}`);
  }
  return value;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      output: { type: 'string', short: 'o' },
      type: { type: 'string' },
      'output-type': { type: 'string' },
      'token-embd-type': { type: 'string' },
      weights: { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    usage,
    1,
  );
  if (values.help) {
    process.stdout.write(`Usage: ${usage}\n`);
    return 0;
  }
  const usageLine = `Usage: ${usage.split('\n')[0]}`;
  const srcDir = positionals[0];
  if (srcDir === undefined) throw new GitcapError('E_INVALID_ARG', `Missing <hf-dir>\n${usageLine}`);
  const outPath = values.output as string | undefined;
  if (outPath === undefined) throw new GitcapError('E_INVALID_ARG', `Missing -o <out.gguf>\n${usageLine}`);
  const type = typeValue(values.type, '--type') ?? DEFAULT_TYPE;
  const outputType = typeValue(values['output-type'], '--output-type');
  const tokenEmbdType = typeValue(values['token-embd-type'], '--token-embd-type');

  const stderr = process.stderr;
  const bar = stderr.isTTY ? new ProgressBar('Converting', { stream: stderr }) : undefined;
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint); // stop cleanly: the partial file is removed
  const started = Date.now();
  try {
    const result = await convertCheckpoint(srcDir, outPath, {
      type,
      outputType,
      tokenEmbdType,
      weightsFile: values.weights as string | undefined,
      name: values.name as string | undefined,
      signal: controller.signal,
      onProgress: (p) => bar?.update(p.bytesDone, p.bytesTotal, `Converting ${p.name ?? ''}`.trimEnd()),
      // On a terminal the warning replaces the bar's line; the bar redraws below it.
      log: (msg) => stderr.write(`${bar ? '\r\x1b[K' : ''}warning: ${msg}\n`),
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const line = `Wrote ${result.tensors} tensors (${formatBytes(result.bytes)}, ${result.fileType}) in ${seconds} s`;
    if (bar) bar.finish(line);
    else stderr.write(`${line}\n`);
    process.stdout.write(`${result.outPath}\n`);
    return 0;
  } catch (err) {
    bar?.finish();
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
