// One caption for a request: the server's pixel limit, the call's signal, the metrics.
import type { FastifyRequest } from 'fastify';
import type { CaptionOptions } from '../options/caption-options.js';
import type { CaptionInput } from '../model-input.js';
import type { CaptionResult } from '../model.js';
import type { Call, ServerState } from './state.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** New tokens this request generated (for its log line). */
    tokens: number;
  }
}

export async function runCaption(
  state: ServerState,
  request: FastifyRequest,
  call: Call,
  input: CaptionInput,
  options: CaptionOptions,
  onToken?: (piece: string, id: number) => void,
): Promise<CaptionResult> {
  const model = state.requireModel();
  const result = await model.caption(input, {
    ...options,
    maxPixels: state.config.limits.maxPixels,
    signal: call.signal,
    onToken,
  });
  state.metrics.caption(result);
  request.tokens = result.tokenIds.length;
  return result;
}
