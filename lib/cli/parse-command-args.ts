import { parseArgs } from 'node:util';
import { GitcapError } from '../errors.js';

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
    throw new GitcapError('E_INVALID_ARG', `${(err as Error).message}\n${usageLine}`);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new GitcapError('E_INVALID_ARG', `Unexpected argument "${parsed.positionals[maxPositionals]}"\n${usageLine}`);
  }
  return parsed;
}
