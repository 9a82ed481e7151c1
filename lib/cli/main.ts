#!/usr/bin/env node
// The `gitcap` command. Each command is one file, lib/cli/commands/<name>.ts, exporting
// { summary, usage, run(args): Promise<exit code> }, and one line in `commands` below.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isGitcapError } from '../../core/errors.js';
import { packageVersion } from '../../core/package-info.js';
import { parseArgsMessage } from './parse-command-args.js';

export interface Command {
  /** One line for `gitcap --help`. */
  summary: string;
  /** `gitcap <name> ...` synopsis on the first line, then details; printed by `gitcap help <name>`. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. A thrown
   * GitcapError is printed: E_INVALID_ARG exits 2, any other error 1. */
  run(args: string[]): Promise<number>;
}

/** Loaded on use, so that one command's dependencies never slow another. */
const commands: Record<string, () => Promise<Command>> = {
  caption: () => import('./commands/caption.js'),
  convert: () => import('./commands/convert.js'),
  enqueue: () => import('./commands/enqueue.js'),
  info: () => import('./commands/info.js'),
  ls: () => import('./commands/ls.js'),
  pull: () => import('./commands/pull.js'),
  rm: () => import('./commands/rm.js'),
  serve: () => import('./commands/serve.js'),
  worker: () => import('./commands/worker.js'),
};

const EXIT_USAGE = 2;

async function usage(): Promise<string> {
  const names = Object.keys(commands).sort();
  const width = Math.max(...names.map((n) => n.length));
  const rows = await Promise.all(names.map(async (n) => `  ${n.padEnd(width)}  ${(await commands[n]!()).summary}`));
  return [
    'Usage: gitcap <command> [options]',
    '',
    'Commands:',
    ...rows,
    '',
    'gitcap <file...>        the same as gitcap caption <file...>',
    'gitcap help <command>   details of one command',
    'gitcap --version        the version of gitcap',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const at = argv.findIndex((a) => !a.startsWith('-'));
  if (at !== -1 && isFileArgument(argv[at]!)) return runCommand('caption', argv);
  const globalArgs = at === -1 ? argv : argv.slice(0, at);
  let values: { help?: boolean; version?: boolean };
  try {
    ({ values } = parseArgs({
      args: globalArgs,
      options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`gitcap: ${parseArgsMessage(err as NodeJS.ErrnoException)}\n\n${await usage()}\n`);
    return EXIT_USAGE;
  }
  if (values.version) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (values.help || at === -1) {
    const text = `${await usage()}\n`;
    if (values.help) process.stdout.write(text);
    else process.stderr.write(text);
    return values.help ? 0 : EXIT_USAGE;
  }

  const name = argv[at]!;
  const rest = argv.slice(at + 1);
  if (name === 'help') {
    const target = rest[0];
    if (target === undefined) {
      process.stdout.write(`${await usage()}\n`);
      return 0;
    }
    const load = Object.hasOwn(commands, target) ? commands[target] : undefined;
    if (!load) return unknownCommand(target);
    process.stdout.write(`Usage: ${(await load()).usage}\n`);
    return 0;
  }
  if (!Object.hasOwn(commands, name)) return unknownCommand(name);
  return runCommand(name, rest);
}

/** `gitcap clip.mp4 [options]` means `gitcap caption clip.mp4 [options]`: a file, not a command. */
function isFileArgument(word: string): boolean {
  return word !== 'help' && !Object.hasOwn(commands, word) && (existsSync(word) || /[./\\]/.test(word));
}

/** A usage error ends with the command's usage line; any other error with its code. */
async function runCommand(name: string, args: string[]): Promise<number> {
  let command: Command | undefined;
  try {
    command = await commands[name]!();
    return await command.run(args);
  } catch (err) {
    if (!isGitcapError(err)) throw err;
    if (err.code !== 'E_INVALID_ARG') {
      process.stderr.write(`gitcap ${name}: ${err.message} (${err.code})\n`);
      return 1;
    }
    const usageLine = err.message.includes('\nUsage: ') || !command ? '' : `\nUsage: ${command.usage.split('\n')[0]}`;
    process.stderr.write(`gitcap ${name}: ${err.message}${usageLine}\n`);
    return EXIT_USAGE;
  }
}

async function unknownCommand(name: string): Promise<number> {
  process.stderr.write(`gitcap: unknown command "${name}"\n\n${await usage()}\n`);
  return EXIT_USAGE;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`gitcap: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
