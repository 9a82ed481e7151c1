// The Fastify app of one server: hooks (CORS, API key, request logs and metrics), errors in one
// JSON shape, and the routes.
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { keyChecker } from './auth.js';
import { registerCaptionsRoute } from './captions-route.js';
import { registerChatRoute } from './chat-route.js';
import { errorBody, HttpError, notReady, toHttpError } from './http-error.js';
import { registerPage } from './page.js';
import type { ServerState } from './state.js';

export async function buildApp(state: ServerState): Promise<FastifyInstance> {
  const { config } = state;
  const app = Fastify({
    logger: config.quiet ? false : { level: 'info' },
    // one line per request, written below with the fields that matter
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.decorateRequest('tokens', 0);

  // The log line and the metrics of a request are written when its connection is done with it:
  // 'close' comes after a complete answer and after a client went away (then the status is 499).
  app.addHook('onRequest', async (request, reply) => {
    reply.raw.once('close', () => {
      const route = request.routeOptions.url ?? 'unmatched';
      const status = reply.raw.writableFinished ? reply.statusCode : 499;
      state.metrics.request(route, status, reply.elapsedTime / 1000);
      request.log.info({ id: request.id, method: request.method, route, status, ms: Math.round(reply.elapsedTime), tokens: request.tokens }, 'request');
    });
  });

  if (config.cors !== undefined) await app.register(cors, { origin: config.cors, methods: ['GET', 'POST'] });
  await app.register(multipart);

  if (config.apiKey !== undefined) {
    const check = keyChecker(config.apiKey);
    app.addHook('onRequest', async (request) => {
      if (request.url === '/health' || request.method === 'OPTIONS') return;
      check(request.headers);
    });
  }

  app.addHook('onSend', async (_request, reply) => {
    if (state.closing) reply.header('connection', 'close');
  });

  app.setErrorHandler(async (err, request, reply) => {
    const { error, internal } = toHttpError(err);
    if (internal) request.log.error({ id: request.id, err }, 'internal error');
    return reply.code(error.status).headers(error.headers).send(errorBody(error));
  });
  app.setNotFoundHandler(async (_request, reply) => {
    const error = new HttpError(404, 'E_NOT_FOUND', 'No such route');
    return reply.code(404).send(errorBody(error));
  });

  app.get('/health', async (_request, reply) => {
    if (!state.ready) return reply.code(503).header('retry-after', '5').send({ status: state.closing ? 'shutting down' : 'loading' });
    return { status: 'ok' };
  });

  app.get('/v1/models', async () => {
    const model = state.requireModel();
    const info = model.info;
    return {
      object: 'list',
      data: [{ id: info.name, object: 'model', created: 0, owned_by: 'gitcap', kind: info.kind, quantization: info.quantization }],
    };
  });

  app.get('/metrics', async (_request, reply) => {
    if (state.closing) throw notReady();
    return reply.header('content-type', state.metrics.registry.contentType).send(await state.metrics.registry.metrics());
  });

  registerPage(app);
  registerCaptionsRoute(app, state);
  registerChatRoute(app, state);
  return app;
}
