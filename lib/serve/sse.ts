// Server-Sent Events written to a stream that Fastify sends as the answer. The 200 and the
// headers go out with the first event, so that a request failing before any token still gets
// its own status and JSON error.
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';

export class EventStream {
  readonly #reply: FastifyReply;
  #out: PassThrough | undefined;

  constructor(reply: FastifyReply) {
    this.#reply = reply;
  }

  get opened(): boolean {
    return this.#out !== undefined;
  }

  #open(): PassThrough {
    if (this.#out) return this.#out;
    this.#out = new PassThrough();
    this.#reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('x-accel-buffering', 'no') // proxies: pass each event on at once
      .send(this.#out);
    return this.#out;
  }

  /** `event: <name>` (none when undefined) and one `data:` line: JSON, or the text as it is. */
  send(event: string | undefined, data: unknown): void {
    const out = this.#open();
    if (out.writableEnded || out.destroyed) return;
    const text = typeof data === 'string' ? data : JSON.stringify(data);
    out.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${text}\n\n`);
  }

  end(): void {
    if (this.#out && !this.#out.writableEnded) this.#out.end();
  }
}

/** Whether the client asked for Server-Sent Events. */
export function wantsEventStream(accept: string | undefined, streamFlag: boolean): boolean {
  return streamFlag || (accept !== undefined && accept.includes('text/event-stream'));
}
