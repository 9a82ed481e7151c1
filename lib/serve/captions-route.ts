// POST /v1/captions: a multipart form (`file` parts and the options as fields) or the raw bytes
// of one image or video (options as query parameters); JSON, or Server-Sent Events.
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isVideoFile } from '../inputs/media-files.js';
import type { CaptionInput } from '../model-input.js';
import type { CaptionResult, GitModel } from '../model.js';
import { parseCaptionParams, type CaptionParams } from './caption-params.js';
import { badRequest, errorBody, HttpError, toHttpError, tooLarge } from './http-error.js';
import { runCaption } from './run-caption.js';
import { EventStream, wantsEventStream } from './sse.js';
import type { Call, ServerState } from './state.js';
import type { RequestUploads } from './uploads.js';

const MEDIA = /^(image|video)\/[\w.+-]+\s*(;|$)/i;
/** Room for the multipart boundaries and fields around the files. */
const FORM_OVERHEAD = 64 * 1024;
const MAX_FILES = 64;

interface Upload {
  path: string;
  video: boolean;
}

export function captionAnswer(r: CaptionResult, model: GitModel) {
  return { text: r.text, tokenIds: r.tokenIds, stoppedByEos: r.stoppedByEos, timings: r.timings, model: model.info.name };
}

export function registerCaptionsRoute(app: FastifyInstance, state: ServerState): void {
  // Raw image or video bodies reach the handler as the request stream, saved to a file there.
  app.addContentTypeParser(MEDIA, (_request, payload, done) => done(null, payload));

  app.post('/v1/captions', async (request, reply) => {
    const contentType = request.headers['content-type'] ?? '';
    const raw = MEDIA.test(contentType);
    if (!raw && !request.isMultipart()) {
      throw new HttpError(415, 'E_MEDIA_TYPE', 'Send multipart/form-data with a file part, or the raw bytes with Content-Type image/* or video/*');
    }
    const length = Number(request.headers['content-length'] ?? 0);
    if (length > state.config.maxUploadBytes + (raw ? 0 : FORM_OVERHEAD)) throw tooLarge(state.config.maxUploadBytes);
    const call = state.begin(reply);
    const files = state.uploads.forRequest(state.config.maxUploadBytes);
    try {
      const started = performance.now();
      const { uploads, fields } = raw
        ? { uploads: [{ path: await files.save(request.body as Readable, call.signal), video: /^video\//i.test(contentType) }], fields: queryFields(request) }
        : await readForm(request, files, call);
      state.metrics.stage('upload', performance.now() - started);
      const params = parseCaptionParams(fields, state.config);
      const input = captionInput(uploads, params);
      return await answer(state, request, reply, call, input, params);
    } catch (err) {
      throw call.failure(err);
    } finally {
      call.end();
      await files.remove();
    }
  });
}

function queryFields(request: FastifyRequest): Map<string, string> {
  const fields = new Map<string, string>();
  for (const [name, value] of Object.entries(request.query as Record<string, string | string[]>)) {
    if (Array.isArray(value)) throw badRequest(`${name} is given more than once`);
    fields.set(name, value);
  }
  return fields;
}

async function readForm(request: FastifyRequest, files: RequestUploads, call: Call) {
  const uploads: Upload[] = [];
  const fields = new Map<string, string>();
  // the frame count is the model's to check, with its own message; this bounds the parts alone
  const parts = request.parts({ limits: { files: MAX_FILES, fields: 32, fieldSize: 1024 * 1024 } });
  for await (const part of parts) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file') throw badRequest(`Unexpected file part ${JSON.stringify(part.fieldname)}: name it "file"`);
      // The client's file name only tells video from image; it never becomes a path.
      const video = /^video\//i.test(part.mimetype) || isVideoFile(part.filename ?? '');
      uploads.push({ path: await files.save(part.file, call.signal), video });
    } else {
      if (fields.has(part.fieldname)) throw badRequest(`${part.fieldname} is given more than once`);
      fields.set(part.fieldname, String(part.value));
    }
  }
  return { uploads, fields };
}

function captionInput(uploads: Upload[], params: CaptionParams): CaptionInput {
  if (uploads.length === 0) throw badRequest('No file: send the image or video as a part named "file"');
  if (params.frames) {
    if (uploads.some((u) => u.video)) throw badRequest('frames=true takes images, not a video');
    return { frames: uploads.map((u) => u.path) };
  }
  if (uploads.length > 1) throw badRequest(`${uploads.length} files: send frames=true to caption them as the frames of one video`);
  const [upload] = uploads as [Upload];
  return upload.video ? { video: upload.path } : { image: upload.path };
}

async function answer(state: ServerState, request: FastifyRequest, reply: FastifyReply, call: Call, input: CaptionInput, params: CaptionParams) {
  const model = state.requireModel();
  if (!wantsEventStream(request.headers.accept, params.stream)) {
    return captionAnswer(await runCaption(state, request, call, input, params.options), model);
  }
  const events = new EventStream(reply);
  try {
    const r = await runCaption(state, request, call, input, params.options, (piece, id) => events.send('token', { piece, id }));
    events.send('done', captionAnswer(r, model));
  } catch (err) {
    if (!events.opened) throw err; // nothing sent yet: an ordinary status and JSON error
    if (!call.disconnected) events.send('error', errorBody(toHttpError(call.failure(err)).error));
  } finally {
    events.end();
  }
  return reply;
}
