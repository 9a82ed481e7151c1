// What one server shares between its routes: the model, the admitted calls (bounded), the
// upload folder, the metrics, and whether it is closing.
import type { FastifyReply } from 'fastify';
import type { GitModel } from '../model.js';
import { busy, HttpError, notReady, timedOut } from './http-error.js';
import { ServeMetrics } from './metrics.js';
import type { ServeConfig } from './options.js';
import type { UploadFolder } from './uploads.js';

export class ServerState {
  readonly config: ServeConfig;
  readonly uploads: UploadFolder;
  readonly metrics: ServeMetrics;
  model: GitModel | undefined;
  closing = false;
  readonly #calls = new Set<Call>();
  #idle: Array<() => void> = [];

  constructor(config: ServeConfig, uploads: UploadFolder) {
    this.config = config;
    this.uploads = uploads;
    this.metrics = new ServeMetrics({
      queueDepth: () => this.model?.pending ?? 0,
      inFlight: () => this.#calls.size,
      modelBytes: () => this.model?.info.memory.weightsBytes ?? 0,
    });
  }

  get ready(): boolean {
    return this.model !== undefined && !this.closing;
  }

  /** The model, or 503 while loading or closing. */
  requireModel(): GitModel {
    if (!this.ready) throw notReady();
    return this.model!;
  }

  /** Admits a caption request (429 when `maxQueue` are admitted already). */
  begin(reply: FastifyReply): Call {
    this.requireModel();
    if (this.#calls.size >= this.config.maxQueue) throw busy();
    const call = new Call(reply, this.config.timeoutMs, () => {
      this.#calls.delete(call);
      if (this.#calls.size === 0) for (const wake of this.#idle.splice(0)) wake();
    });
    this.#calls.add(call);
    return call;
  }

  /** Resolves once no call is admitted. */
  whenIdle(): Promise<void> {
    if (this.#calls.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Shutdown ran out of time: the calls still running are stopped (and answered 503). */
  abortAll(): void {
    for (const call of this.#calls) call.abortForShutdown();
  }
}

/**
 * One admitted caption request: its signal aborts when the client goes away, when it runs past
 * the timeout, or when the server gives up waiting on shutdown.
 */
export class Call {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #timeoutMs: number;
  readonly #reply: FastifyReply;
  readonly #onClose: () => void;
  readonly #onEnd: () => void;
  #timedOut = false;
  #shutDown = false;
  #ended = false;
  /** The client closed the connection before the answer was complete. */
  disconnected = false;

  constructor(reply: FastifyReply, timeoutMs: number, onEnd: () => void) {
    this.#reply = reply;
    this.#timeoutMs = timeoutMs;
    this.#onEnd = onEnd;
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort();
    }, timeoutMs);
    this.#onClose = () => {
      if (reply.raw.writableFinished) return;
      this.disconnected = true;
      this.#controller.abort();
    };
    reply.raw.once('close', this.#onClose);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  abortForShutdown(): void {
    this.#shutDown = true;
    this.#controller.abort();
  }

  /** What to answer for an error of this call: 504 after the timeout, 503 when stopped by shutdown. */
  failure(err: unknown): unknown {
    if (this.#timedOut) return timedOut(this.#timeoutMs);
    if (this.#shutDown) return notReady();
    // nobody reads the answer; the status is for the log and the metrics (nginx's convention)
    if (this.disconnected) return new HttpError(499, 'E_CLIENT_CLOSED', 'The client closed the connection');
    return err;
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#timer);
    this.#reply.raw.removeListener('close', this.#onClose);
    this.#onEnd();
  }
}
