// The OpenAI chat-completions request subset that clients send to vision models: the last user
// message's `text` parts are the question (none: a caption), its `image_url` parts the picture or
// the frames of one video, a `video_url` part a video; max_tokens, temperature, top_p, seed.
import type { CaptionOptions } from '../options/caption-options.js';
import { definedOnly } from '../defined-only.js';
import { badRequest } from './http-error.js';

export interface MediaRef {
  url: string;
  video: boolean;
}

export interface ChatRequest {
  media: MediaRef[];
  prompt: string | undefined;
  options: CaptionOptions;
  stream: boolean;
}

type Part = { type?: unknown; text?: unknown; image_url?: unknown; video_url?: unknown };

function urlOf(part: Part, key: 'image_url' | 'video_url'): string {
  const value = part[key];
  const url = typeof value === 'string' ? value : (value as { url?: unknown } | null | undefined)?.url;
  if (typeof url !== 'string' || url === '') throw badRequest(`A ${key} part needs { "url": "data:..." }`);
  return url;
}

function optionalNumber(body: Record<string, unknown>, name: string): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw badRequest(`Expected a number for ${name}`);
  return value;
}

export function parseChatRequest(body: unknown): ChatRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Expected a JSON object with "messages"');
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.messages) || b.messages.length === 0) throw badRequest('"messages" must be a non-empty array');
  const user = [...b.messages].reverse().find((m) => typeof m === 'object' && m !== null && (m as { role?: unknown }).role === 'user') as
    | { content?: unknown }
    | undefined;
  if (!user) throw badRequest('No message with role "user"');
  const parts: Part[] = typeof user.content === 'string' ? [{ type: 'text', text: user.content }] : (user.content as Part[]);
  if (!Array.isArray(parts)) throw badRequest('The user message\'s content must be a string or an array of parts');
  const texts: string[] = [];
  const media: MediaRef[] = [];
  for (const part of parts) {
    if (typeof part !== 'object' || part === null) throw badRequest('Each content part must be an object');
    if (part.type === 'text') {
      if (typeof part.text !== 'string') throw badRequest('A text part needs "text"');
      texts.push(part.text);
    } else if (part.type === 'image_url') media.push({ url: urlOf(part, 'image_url'), video: false });
    else if (part.type === 'video_url') media.push({ url: urlOf(part, 'video_url'), video: true });
    else throw badRequest(`Unsupported content part type ${JSON.stringify(part.type)}: use text, image_url or video_url`);
  }
  if (media.length === 0) throw badRequest('The last user message has no image_url or video_url part');
  if (media.some((m) => m.video) && media.length > 1) throw badRequest('Send one video_url, or image_url parts (the frames of one video), not both');
  if (b.n !== undefined && b.n !== null && b.n !== 1) throw badRequest('Only n = 1 is supported');
  const maxTokens = optionalNumber(b, 'max_completion_tokens') ?? optionalNumber(b, 'max_tokens');
  const temperature = optionalNumber(b, 'temperature');
  const topP = optionalNumber(b, 'top_p');
  const seed = optionalNumber(b, 'seed');
  const prompt = texts.join('\n').trim();
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean') throw badRequest('"stream" must be a boolean');
  return {
    media,
    prompt: prompt === '' ? undefined : prompt,
    options: definedOnly({ maxNewTokens: maxTokens, temperature, topP, seed, prompt: prompt === '' ? undefined : prompt }),
    stream: b.stream === true,
  };
}
