// Prometheus metrics of one server, in a registry of its own (several servers in one process
// do not mix). Every name starts with gitcap_.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CaptionResult } from '../model.js';

const STAGES = ['upload', 'read', 'preprocess', 'vision', 'prefix', 'decode', 'total'] as const;
export type Stage = (typeof STAGES)[number];

export class ServeMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'route' | 'status'>;
  readonly #duration: Histogram<'route'>;
  readonly #stages: Histogram<'stage'>;
  readonly #tokens: Counter;

  /** `queueDepth`: calls waiting or running on the model; `inFlight`: requests admitted now. */
  constructor(sources: { queueDepth: () => number; inFlight: () => number; modelBytes: () => number }) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'gitcap_' });
    this.#requests = new Counter({ name: 'gitcap_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers });
    this.#duration = new Histogram({
      name: 'gitcap_http_request_duration_seconds',
      help: 'Time from request to the end of the answer, by route',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.#stages = new Histogram({
      name: 'gitcap_stage_duration_seconds',
      help: 'Time of each stage of a caption: upload, read (ffmpeg), preprocess, vision, prefix, decode, total',
      labelNames: ['stage'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.#tokens = new Counter({ name: 'gitcap_tokens_generated_total', help: 'New tokens generated', registers });
    new Gauge({ name: 'gitcap_queue_depth', help: 'Calls waiting or running on the model', registers, collect() { this.set(sources.queueDepth()); } });
    new Gauge({ name: 'gitcap_in_flight_requests', help: 'Caption requests admitted and not yet answered', registers, collect() { this.set(sources.inFlight()); } });
    new Gauge({ name: 'gitcap_model_bytes', help: 'Bytes of the loaded weights', registers, collect() { this.set(sources.modelBytes()); } });
  }

  request(route: string, status: number, seconds: number): void {
    this.#requests.inc({ route, status: String(status) });
    this.#duration.observe({ route }, seconds);
  }

  stage(stage: Stage, ms: number): void {
    this.#stages.observe({ stage }, ms / 1000);
  }

  caption(result: CaptionResult): void {
    const t = result.timings;
    this.stage('read', t.readMs);
    this.stage('preprocess', t.preprocessMs);
    this.stage('vision', t.visionMs);
    this.stage('prefix', t.prefixMs);
    this.stage('decode', t.decodeMs);
    this.stage('total', t.totalMs);
    this.#tokens.inc(result.tokenIds.length);
  }
}
