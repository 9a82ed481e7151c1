// GET /: the page to drop a video or image on and watch its caption stream in. Plain HTML and JS
// files shipped in the package (lib/serve/page/), read once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { packageRoot } from '../../core/package-info.js';

const FILES = { '/': ['index.html', 'text/html; charset=utf-8'], '/page.js': ['page.js', 'text/javascript; charset=utf-8'] } as const;

export function registerPage(app: FastifyInstance): void {
  for (const [route, [file, type]] of Object.entries(FILES)) {
    const body = readFileSync(join(packageRoot(), 'lib', 'serve', 'page', file));
    app.get(route, async (_request, reply) =>
      reply
        .header('content-type', type)
        .header('content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; media-src 'self' blob:")
        .header('x-content-type-options', 'nosniff')
        .send(body),
    );
  }
}
