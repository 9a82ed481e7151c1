// The server's entry points for lib/index.ts. They load the server (Fastify, prom-client) on
// first use, so that importing gitcap for captions alone stays light.
import type { ServeOptions } from './options.js';
import type { GitcapRequestHandler, GitcapServer } from './server.js';

export type { ServeLimits, ServeOptions } from './options.js';
export type { GitcapRequestHandler, GitcapServer } from './server.js';

/** Starts `gitcap serve`'s server; resolves with `{ url, model, close() }` once the model is loaded. */
export async function serve(options?: ServeOptions): Promise<GitcapServer> {
  return (await import('./server.js')).serve(options);
}

/** The server's routes as a node:http request handler `(req, res)`, for an existing server. */
export async function createRequestHandler(options?: ServeOptions): Promise<GitcapRequestHandler> {
  return (await import('./server.js')).createRequestHandler(options);
}
