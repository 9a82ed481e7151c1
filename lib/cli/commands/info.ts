import { info, type GitcapInfo } from '../../info.js';
import { GitModel } from '../../model.js';
import { formatModelInfo, modelInfoJson } from '../model-info-format.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { formatBytes } from '../../terminal/progress-bar.js';

export const summary = 'Show the versions, backends, devices and CPU features gitcap runs with, or what a model is';

export const usage = `gitcap info [--json]
   or: gitcap info <model> [--json]

Prints gitcap's version, the native binary in use (prebuilt or built from source), ggml's version,
the compute backends and devices found, and the CPU features ggml's CPU backend uses.
Given a model (a GGUF file, or a checkpoint folder: converted first), loads it and also prints
what it is: video or image model, weight type and size, the device it is on, the layers of the
vision and text towers, special tokens and preprocessing.

Options:
  --json   the same as one JSON object (see GitcapInfo in the API; with a model, its ModelInfo
           as "model")`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    usage,
    1,
  );
  if (values.help) {
    process.stdout.write(`Usage: ${usage}\n`);
    return 0;
  }
  const data = info();
  if (positionals[0] === undefined) {
    process.stdout.write(values.json ? `${JSON.stringify(data, null, 2)}\n` : formatInfo(data));
    return 0;
  }
  const model = await GitModel.load(positionals[0]);
  try {
    process.stdout.write(
      values.json
        ? `${JSON.stringify({ ...data, model: modelInfoJson(model.info) }, null, 2)}\n`
        : `${formatInfo(data)}\n${formatModelInfo(model.info)}`,
    );
  } finally {
    await model.dispose();
  }
  return 0;
}

export function formatInfo(data: GitcapInfo): string {
  const rows: [string, string][] = [
    ['gitcap', data.version],
    ['binary', `${data.addonPath} (${data.prebuild ? `prebuilt for ${data.prebuild}` : 'built from source'}${data.portable ? ', portable' : ''})`],
    ['platform', [data.platform.name, data.platform.libc].filter(Boolean).join(', ')],
    ['ggml', `${data.ggml.version} (${data.ggml.commit.slice(0, 12)})`],
    ['Node-API', `${data.napiVersion} (Node.js ${process.version})`],
    ['backends', data.backends.join(', ') || '(none)'],
    ...data.devices.map((d, i): [string, string] => [
      i === 0 ? 'devices' : '',
      `${d.name} [${d.type}] ${d.description}, ${formatBytes(d.memoryFree)} free of ${formatBytes(d.memoryTotal)}`,
    ]),
    ['CPU', `${data.cpu.variant ? `variant ${data.cpu.variant}; ` : ''}${data.cpu.features.join(' ') || '(no features)'}`],
    ['kernels', data.cpu.kernels.length > 0 ? `gitcap's ${data.cpu.kernels.join(', ')}; ggml's for the rest` : "ggml's"],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}\n`).join('');
}

