// serve(): a listening server with its model; createRequestHandler(): the same routes for an
// existing node:http server. Both load the model (or take a loaded one) and close gracefully.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { openModel } from '../open-model.js';
import { GitModel } from '../model.js';
import { buildApp } from './app.js';
import { resolveServeOptions, type ServeConfig, type ServeOptions } from './options.js';
import { ServerState } from './state.js';
import { UploadFolder } from './uploads.js';

export interface GitcapServer {
  /** http://host:port of the listening server. */
  url: string;
  model: GitModel;
  /** Stops accepting, lets in-flight calls finish (up to shutdownTimeoutS), frees the model. */
  close(): Promise<void>;
}

export interface GitcapRequestHandler {
  /** (req, res) for node:http's createServer or its 'request' event. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  model: GitModel;
  close(): Promise<void>;
}

interface Started {
  state: ServerState;
  app: FastifyInstance;
  /** Aborted when the server closes while its model is still loading. */
  loading: AbortSignal;
  close: () => Promise<void>;
}

async function start(config: ServeConfig): Promise<Started> {
  const uploads = await UploadFolder.create();
  const state = new ServerState(config, uploads);
  let app: FastifyInstance;
  try {
    app = await buildApp(state);
  } catch (err) {
    await uploads.remove();
    throw err;
  }
  const loading = new AbortController();
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= shutdown(state, app, loading));
  return { state, app, loading: loading.signal, close };
}

async function shutdown(state: ServerState, app: FastifyInstance, loading: AbortController): Promise<void> {
  state.closing = true;
  loading.abort();
  const appClosed = app.close(); // no new connections; new requests on open ones get 503
  // Answers sent from now on close their connection; a connection that is idle once its answer
  // has gone (a finished event stream, a client's keep-alive) is closed without waiting.
  const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
  const giveUp = setTimeout(() => state.abortAll(), state.config.shutdownTimeoutMs);
  try {
    await state.whenIdle();
    await appClosed;
  } finally {
    clearInterval(sweep);
    clearTimeout(giveUp);
    if (!(state.config.model instanceof GitModel)) await state.model?.dispose();
    await state.uploads.remove();
  }
}

async function loadModel(config: ServeConfig, signal: AbortSignal): Promise<GitModel> {
  if (config.model instanceof GitModel) return config.model;
  return openModel(config.model, { quantization: config.quant, backend: config.backend, threads: config.threads, signal });
}

/**
 * Starts `gitcap serve`'s server: it listens at once (GET /health answers 503 while the model
 * loads) and resolves when the model is loaded.
 */
export async function serve(options?: ServeOptions): Promise<GitcapServer> {
  const config = resolveServeOptions(options);
  const { state, app, loading, close } = await start(config);
  try {
    await app.listen({ host: config.host, port: config.port });
    state.model = await loadModel(config, loading);
  } catch (err) {
    await close();
    throw err;
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `http://${host}:${address.port}`, model: state.model, close };
}

/** The server's routes as a node:http request handler, for embedding into an existing server. */
export async function createRequestHandler(options?: ServeOptions): Promise<GitcapRequestHandler> {
  const config = resolveServeOptions(options);
  const { state, app, loading, close } = await start(config);
  try {
    state.model = await loadModel(config, loading);
    await app.ready();
  } catch (err) {
    await close();
    throw err;
  }
  return { handler: (req, res) => app.routing(req, res), model: state.model, close };
}
