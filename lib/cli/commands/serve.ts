import { DEFAULT_REPO_ID } from '../../hub/pull.js';
import { DEFAULT_QUANTIZATION } from '../../hub/quantization.js';
import { QUANT_TYPES } from '../../../weights-convert/quant-types.js';
import { serve } from '../../serve/index.js'; // loads the server on first use
import type { ServeOptions } from '../../serve/options.js';
import { parseCaptionFlags } from '../caption-flags.js';
import { numberFlag, type FlagValues } from '../flag-values.js';
import { parseCommandArgs } from '../parse-command-args.js';

export const summary = 'Serve captions over HTTP (JSON, Server-Sent Events, OpenAI chat completions) with a web page';

export const usage = `gitcap serve [options]

One process, one loaded model: concurrent requests are batched on it. Routes: GET / (a page to
drop a video or image on), POST /v1/captions, POST /v1/chat/completions (OpenAI-compatible),
GET /v1/models, GET /health, GET /metrics (Prometheus). Prints the URL when ready; SIGTERM or
Ctrl-C stops accepting, finishes the calls in flight and exits 0.

  --model <m>              a GGUF file, a checkpoint folder or a hub repository owner/name
                           (default ${DEFAULT_REPO_ID})
  --quant <type>           weight type when converting: ${QUANT_TYPES.join(', ')} (default ${DEFAULT_QUANTIZATION})
  --threads <n>            CPU threads (default: the physical cores)
  --host <address>         address to listen on (default 127.0.0.1: this machine only)
  --port <n>               port (default 8080; 0: any free port)
  --api-key <key>          every route but /health needs "Authorization: Bearer <key>"
                           (default: the GITCAP_API_KEY environment variable)
  --max-queue <n>          requests admitted at once; more are answered 429 (default 32)
  --max-upload-mb <n>      largest upload of one request (default 100)
  --timeout-s <n>          a caption running longer is stopped and answered 504 (default 300)
  --cors <origin>          allow this origin to call the API from a browser
  --allow-url-host <h,...> chat requests may name http(s) image URLs of these hosts
  --quiet                  no request logs (one JSON line per request otherwise)`;

const FLAGS = {
  model: { type: 'string' },
  quant: { type: 'string' },
  threads: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'api-key': { type: 'string' },
  'max-queue': { type: 'string' },
  'max-upload-mb': { type: 'string' },
  'timeout-s': { type: 'string' },
  cors: { type: 'string' },
  'allow-url-host': { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A number flag of at least `min`. */
function atLeast(values: FlagValues, flag: string, integer: boolean, min: number): number | undefined {
  const expected = `${integer ? 'an integer' : 'a number'} of at least ${min}`;
  return numberFlag(values, flag, expected, (n) => n >= min && (!integer || Number.isInteger(n)));
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, FLAGS, usage, 0);
  if (values.help) {
    process.stdout.write(`Usage: ${usage}\n`);
    return 0;
  }
  // --model, --quant and --threads mean what they mean to gitcap caption
  const model = parseCaptionFlags({ model: values.model, quant: values.quant, threads: values.threads });
  // resolveServeOptions takes an undefined option as not given.
  const options: ServeOptions = {
    model: model.model,
    quant: model.quantization,
    threads: model.threads,
    host: values.host as string | undefined,
    port: atLeast(values, 'port', true, 0),
    apiKey: values['api-key'] as string | undefined,
    maxQueue: atLeast(values, 'max-queue', true, 1),
    maxUploadMb: atLeast(values, 'max-upload-mb', false, 0.001),
    timeoutS: atLeast(values, 'timeout-s', false, 0.001),
    cors: values.cors as string | undefined,
    allowUrlHosts: ((values['allow-url-host'] as string | undefined) ?? '').split(',').filter((h) => h !== ''),
    quiet: values.quiet === true,
  };
  const server = await serve(options);
  process.stdout.write(`gitcap serve: ${server.model.info.name} ready at ${server.url}\n`);
  return new Promise<number>((resolve) => {
    const stop = () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      process.stderr.write('gitcap serve: shutting down (finishing the calls in flight)\n');
      server.close().then(
        () => resolve(0),
        (err: unknown) => {
          process.stderr.write(`gitcap serve: ${(err as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
