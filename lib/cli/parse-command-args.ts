import { parseArgs } from 'node:util';
import { GitcapError } from '../../core/errors.js';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Strict parsing of one command's arguments; a mistake is E_INVALID_ARG with the usage line. */
export function parseCommandArgs(args: string[], options: OptionSpec, usage: string, maxPositionals: number): ParsedArgs {
  const usageLine = `Usage: ${usage.split('\n')[0]}`;
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true }) as ParsedArgs;
  } catch (err) {
    throw new GitcapError('E_INVALID_ARG', `${parseArgsMessage(err as NodeJS.ErrnoException)}\n${usageLine}`);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new GitcapError('E_INVALID_ARG', `Unexpected argument "${parsed.positionals[maxPositionals]}"\n${usageLine}`);
  }
  return parsed;
}

/**
 * node:util parseArgs' message in gitcap's words: its quoting ('--x'. ... '-- "--x"') reads
 * badly in a terminal. Other messages are kept.
 */
export function parseArgsMessage(err: NodeJS.ErrnoException): string {
  const option = /^(?:Unknown option|Option) '([^' ]+)/.exec(err.message)?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `Unknown option "${option}"`;
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    return /argument missing/.test(err.message) ? `Option "${option}" needs a value` : `Option "${option}" takes no value`;
  }
  return err.message;
}
