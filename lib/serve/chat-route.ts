// POST /v1/chat/completions: OpenAI's answer shapes around one caption: a chat.completion, or
// chat.completion.chunk events ending with `data: [DONE]`.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { CaptionInput } from '../model-input.js';
import type { CaptionResult, GitModel } from '../model.js';
import { parseChatRequest } from './chat-request.js';
import { checkLimits } from './caption-params.js';
import { errorBody, toHttpError } from './http-error.js';
import { saveMedia, type MediaFile } from './media-source.js';
import { runCaption } from './run-caption.js';
import { EventStream } from './sse.js';
import type { ServerState } from './state.js';

function usage(r: CaptionResult, model: GitModel) {
  // The decoder reads the image tokens and the prompt before it writes the answer.
  const prompt = model.info.imageTokens + r.promptIds.length;
  return { prompt_tokens: prompt, completion_tokens: r.tokenIds.length, total_tokens: prompt + r.tokenIds.length };
}

function toInput(media: MediaFile[]): CaptionInput {
  if (media.length === 1) return media[0]!.video ? { video: media[0]!.path } : { image: media[0]!.path };
  return { frames: media.map((m) => m.path) };
}

export function registerChatRoute(app: FastifyInstance, state: ServerState): void {
  // base64 makes 4 characters of 3 bytes; the JSON around the URLs is small
  const bodyLimit = Math.ceil((state.config.maxUploadBytes * 4) / 3) + 64 * 1024;

  app.post('/v1/chat/completions', { bodyLimit }, async (request, reply) => {
    const chat = parseChatRequest(request.body);
    checkLimits(chat.options, state.config);
    const call = state.begin(reply);
    const files = state.uploads.forRequest(state.config.maxUploadBytes);
    try {
      const started = performance.now();
      const media: MediaFile[] = [];
      for (const ref of chat.media) {
        const file = await saveMedia(ref.url, files, state.config.maxUploadBytes, state.config.allowUrlHosts, call.signal);
        // a video_url part is a video whatever its data: type says
        media.push({ ...file, video: ref.video || file.video });
      }
      state.metrics.stage('upload', performance.now() - started);
      const model = state.requireModel();
      const input = toInput(media);
      const id = `chatcmpl-${randomUUID()}`;
      const created = Math.floor(Date.now() / 1000);
      const head = { id, created, model: model.info.name, system_fingerprint: null };
      if (!chat.stream) {
        const r = await runCaption(state, request, call, input, chat.options);
        return {
          ...head,
          object: 'chat.completion',
          choices: [
            { index: 0, message: { role: 'assistant', content: r.text, refusal: null }, logprobs: null, finish_reason: r.stoppedByEos ? 'stop' : 'length' },
          ],
          usage: usage(r, model),
        };
      }
      const events = new EventStream(reply);
      const chunk = (delta: object, finish: string | null, extra: object = {}) =>
        events.send(undefined, { ...head, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra });
      let first = true;
      try {
        const r = await runCaption(state, request, call, input, chat.options, (piece) => {
          chunk(first ? { role: 'assistant', content: piece } : { content: piece }, null);
          first = false;
        });
        if (first) chunk({ role: 'assistant', content: '' }, null);
        chunk({}, r.stoppedByEos ? 'stop' : 'length', { usage: usage(r, model) });
        events.send(undefined, '[DONE]');
      } catch (err) {
        if (!events.opened) throw err;
        if (!call.disconnected) events.send(undefined, errorBody(toHttpError(call.failure(err)).error));
      } finally {
        events.end();
      }
      return reply;
    } catch (err) {
      throw call.failure(err);
    } finally {
      call.end();
      await files.remove();
    }
  });
}
