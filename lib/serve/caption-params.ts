// Caption options sent as form fields or query parameters (strings), turned into CaptionOptions
// with the API's names, and the server's limits on what one request may ask for. The fields are
// the options that have a `gitcap caption` flag (caption-option-table.ts).
import type { CaptionOptions } from '../options/caption-options.js';
import { FLAGGED_CAPTION_OPTIONS, captionOptionRow, type CaptionOptionName } from '../options/caption-option-table.js';
import { isNumberRule } from '../options/option-rule.js';
import { parseSampling } from '../inputs/sampling-text.js';
import { isGitcapError } from '../../core/errors.js';
import { badRequest } from './http-error.js';
import type { ServeConfig } from './options.js';

/** Fields that are not caption options. */
const CONTROL = new Set(['frames', 'stream']);

export interface CaptionParams {
  options: CaptionOptions;
  /** Several files are the frames of one video. */
  frames: boolean;
  /** Answer with Server-Sent Events. */
  stream: boolean;
}

function flag(name: string, text: string | undefined): boolean {
  if (text === undefined || text === 'false' || text === '0') return false;
  if (text === 'true' || text === '1' || text === '') return true;
  throw badRequest(`Expected true or false for ${name} but received ${JSON.stringify(text)}`);
}

/** `fields`: the form fields or query parameters, each given once. */
export function parseCaptionParams(fields: Map<string, string>, config: ServeConfig): CaptionParams {
  const options: Record<string, unknown> = {};
  for (const [name, text] of fields) {
    if (CONTROL.has(name)) continue;
    if (!(FLAGGED_CAPTION_OPTIONS as readonly string[]).includes(name)) {
      throw badRequest(`Unknown field ${JSON.stringify(name)}: caption options are ${FLAGGED_CAPTION_OPTIONS.join(', ')}`);
    }
    options[name] = fieldValue(name as CaptionOptionName, text);
  }
  checkLimits(options as CaptionOptions, config);
  return { options: options as CaptionOptions, frames: flag('frames', fields.get('frames')), stream: flag('stream', fields.get('stream')) };
}

/** A field's text as the option's value. */
function fieldValue(name: CaptionOptionName, text: string): unknown {
  if (isNumberRule(captionOptionRow(name).rule)) {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw badRequest(`Expected a number for ${name} but received ${JSON.stringify(text)}`);
    return n; // ranges and integrality: checked by caption() with the same messages as the API
  }
  if (name !== 'sampling') return text;
  try {
    return parseSampling(text);
  } catch (err) {
    if (isGitcapError(err)) throw badRequest(err.message.replace('--sampling', 'sampling'));
    throw err;
  }
}

/** What one request may ask for on this server (the model's own limits are checked by caption()). */
export function checkLimits(options: CaptionOptions, config: ServeConfig): void {
  const { limits } = config;
  if (typeof options.maxNewTokens === 'number' && options.maxNewTokens > limits.maxNewTokens) {
    throw badRequest(`maxNewTokens is at most ${limits.maxNewTokens} on this server, got ${options.maxNewTokens}`);
  }
  if (typeof options.numBeams === 'number' && options.numBeams > limits.maxBeams) {
    throw badRequest(`numBeams is at most ${limits.maxBeams} on this server, got ${options.numBeams}`);
  }
  if (typeof options.prompt === 'string' && options.prompt.length > limits.maxPromptChars) {
    throw badRequest(`The prompt is at most ${limits.maxPromptChars} characters on this server, got ${options.prompt.length}`);
  }
}
