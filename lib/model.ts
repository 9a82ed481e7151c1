// GitModel: the public face of a loaded GIT model.
import { checkCaptionOptions, type CaptionOptions } from './options/caption-options.js';
import { captionStream, type CaptionStream } from './caption-stream.js';
import { GitcapError, throwIfAborted } from '../core/errors.js';
import { invalidArg } from './inputs/arg-checks.js';
import { resolveInput, type CaptionInput } from './model-input.js';
import { resolveModelRef, type LocalModelRef } from './model-ref.js';
import { callNative, fromNativeError } from './native/binding.js';
import type { ModelInfo, RawCaptionResult, RawModel, RawPixelValues, RawScoreResult } from './native/model-types.js';
import { captureStack, runJob, withCallerStack } from './native-job.js';
import { definedOnly } from './defined-only.js';
import { convertLocalCheckpoint } from './hub/cache-convert.js';
import { DEFAULT_REPO_ID, pullModel, type PullOptions, type PullProgress } from './hub/pull.js';
import { checkLoadOptions, rawLoadOptions, type LoadOptions, type LoadProgress } from './options/load-options.js';
import { rawScoreOptions, type ScoreOptions } from './options/score-options.js';
import { captionSegments, type SegmentCaption } from './segments/caption-segments.js';
import type { SegmentOptions } from './segments/segment-options.js';

export type { ModelInfo } from './native/model-types.js';

export interface Timings {
  preprocessMs: number;
  visionMs: number;
  prefixMs: number;
  decodeMs: number;
  totalMs: number;
  /** New tokens per second of decoding. */
  tokensPerSecond: number;
  /** Video inputs: time spent reading frames with ffmpeg. */
  readMs: number;
}

export interface CaptionResult {
  /** The generated text (special tokens skipped, spaces cleaned up as transformers does). */
  text: string;
  /** The prompt (VQA question) and the answer decoded together, as transformers' batch_decode gives it. */
  fullText: string;
  /** New token ids (the end-of-sequence id included when produced). */
  tokenIds: number[];
  promptIds: number[];
  stoppedByEos: boolean;
  /** Beam search: the winning sequence's length-normalized log-probability. */
  score: number;
  timings: Timings;
  firstLogits?: Float32Array;
  debug?: Array<{ name: string; shape: number[]; data: Float32Array }>;
}

export interface ScoreResult {
  tokenIds: number[];
  /** log P(token | image, earlier tokens) of each token. */
  tokenLogprobs: number[];
  /** Their sum: the log-probability of the whole text. */
  total: number;
  logits?: Float32Array;
}

export interface PixelValues {
  /** float32 [n, 3, H, W], exactly what the vision tower receives. */
  data: Float32Array;
  dims: [number, number, number, number];
  /** Frames of a video (each gets its temporal embedding). */
  isVideo: boolean;
}

/** GitModel's private constructor, for loadModelRef (set by the class's static block). */
let newGitModel: (raw: RawModel) => GitModel;

/**
 * Loads what `resolveModelRef` found: a GGUF file, or a checkpoint folder converted first (into
 * the cache, once). GitModel.load resolves a path; the CLI and the server resolve hub ids too.
 */
export async function loadModelRef(ref: LocalModelRef, options: LoadOptions): Promise<GitModel> {
  const o = checkLoadOptions(options);
  throwIfAborted(o.signal);
  const { quantization = 'q8_0', cacheDir, onProgress, signal } = o;
  const ggufPath = ref.kind === 'checkpoint' ? await convertLocalCheckpoint(ref.path, { quantization, cacheDir, onProgress, signal }) : ref.path;
  o.onProgress?.({ phase: 'load', path: ggufPath });
  const raw = await callNative((addon) => addon.Model.load(ggufPath, rawLoadOptions(o))).catch((err: unknown) => {
    throw fromNativeError(err);
  });
  const model = newGitModel(raw);
  if (o.signal?.aborted) {
    await model.dispose();
    throwIfAborted(o.signal);
  }
  return model;
}

export class GitModel implements AsyncDisposable {
  readonly #raw: RawModel;
  readonly #info: ModelInfo;
  #disposed: Promise<void> | undefined;
  /** Calls made and not yet settled: counted from the call, before the input is read. */
  #calls = 0;

  static {
    newGitModel = (raw) => new GitModel(raw);
  }

  private constructor(raw: RawModel) {
    this.#raw = raw;
    this.#info = raw.info();
  }

  /**
   * Loads a GGUF made by `gitcap convert`, or converts a Hugging Face checkpoint folder first
   * (cached, so later loads are immediate).
   */
  static async load(path: string, options?: LoadOptions): Promise<GitModel> {
    const callerStack = captureStack(GitModel.load);
    try {
      if (typeof path !== 'string' || path === '') throw invalidArg('path', 'a non-empty string', path);
      const o = checkLoadOptions(options);
      throwIfAborted(o.signal);
      return await loadModelRef(await resolveModelRef(path), o);
    } catch (err) {
      throw withCallerStack(err as Error, callerStack);
    }
  }

  /**
   * Downloads a GIT checkpoint from the Hugging Face hub (first use), converts it once to a GGUF
   * of `quantization` (default q8_0) in the cache, and loads it. Later calls load from the cache
   * without a request; HF_HUB_OFFLINE=1 never asks the hub.
   */
  static async fromPretrained(
    repoId: string = DEFAULT_REPO_ID,
    options?: Omit<LoadOptions, 'onProgress' | 'quantization'> & Omit<PullOptions, 'onProgress' | 'signal'> & {
      onProgress?: (progress: PullProgress | LoadProgress) => void;
    },
  ): Promise<GitModel> {
    const callerStack = captureStack(GitModel.fromPretrained);
    try {
      const { backend, threads, maxQueue, useMmap, onProgress, signal, cacheDir, ...pull } = options ?? {};
      const pulled = await pullModel(repoId, { ...pull, cacheDir, onProgress, signal });
      return await GitModel.load(pulled.ggufPath, { backend, threads, maxQueue, useMmap, onProgress, signal });
    } catch (err) {
      throw withCallerStack(err as Error, callerStack);
    }
  }

  /** What the model is: sizes, quantization, backend, preprocessing, memory. */
  get info(): ModelInfo {
    return this.#info;
  }

  /** Captions a video, an image, or frames (with `prompt`: answers a question about them). */
  async caption(input: CaptionInput, options?: CaptionOptions): Promise<CaptionResult> {
    const callerStack = captureStack(this.caption);
    try {
      return await this.#caption(input, options, options?.onToken, callerStack);
    } catch (err) {
      throw withCallerStack(err as Error, callerStack);
    }
  }

  /**
   * The caption as pieces of text while it is generated; they concatenate to `caption().text`
   * (beam search yields everything at the end). Breaking out of the loop aborts the caption.
   */
  captionStream(input: CaptionInput, options?: CaptionOptions): CaptionStream {
    const callerStack = captureStack(this.captionStream);
    return captionStream(
      (onPiece, signal) => {
        const onToken = (piece: string, id: number) => {
          options?.onToken?.(piece, id);
          onPiece(piece);
        };
        return this.#caption(input, { ...options, signal }, onToken, callerStack);
      },
      options?.signal,
      (err) => withCallerStack(err as Error, callerStack),
    );
  }

  /**
   * Captions of a long video, one per segment (`segmentSeconds` windows or explicit `segments`),
   * in order; the next segment is read while one is captioned, and only its frames are held in memory.
   */
  captionSegments(input: { video: string }, options: SegmentOptions): AsyncIterableIterator<SegmentCaption> {
    return captionSegments(this, input, options);
  }

  /**
   * Log-probabilities of `text` as a caption of `input` (reranking, zero-shot choice). `text` may
   * also be token ids (then includeEos is ignored: give the end-of-sequence id yourself).
   */
  async score(input: CaptionInput, text: string | number[], options?: ScoreOptions): Promise<ScoreResult> {
    const callerStack = captureStack(this.score);
    try {
      return await this.#counted(() => this.#score(input, text, options, callerStack));
    } catch (err) {
      throw withCallerStack(err as Error, callerStack);
    }
  }

  async #score(input: CaptionInput, text: string | number[], options: ScoreOptions | undefined, callerStack: string | undefined): Promise<ScoreResult> {
    const vocab = this.#info.text.vocabSize;
    if (Array.isArray(text)) {
      if (text.length === 0 || !text.every((id) => Number.isInteger(id) && id >= 0 && id < vocab)) {
        throw invalidArg('text', `a non-empty array of token ids below ${vocab}`, text);
      }
    } else if (typeof text !== 'string' || text.trim() === '') {
      throw invalidArg('text', 'a non-empty string or an array of token ids', text);
    }
    const o = options ?? {};
    if (typeof o !== 'object') throw invalidArg('options', 'an object', o);
    this.#checkOpen();
    const rawInput = await this.#resolve(input, o);
    const raw = this.#raw;
    const r = await runJob<RawScoreResult>(raw, (onEvent) => raw.score(rawInput, rawScoreOptions(text, o), onEvent), {
      signal: o.signal,
      callerStack,
    });
    return {
      tokenIds: r.tokenIds,
      tokenLogprobs: Array.from(r.tokenLogprobs),
      total: r.total,
      ...definedOnly({ logits: r.logits }),
    };
  }

  /** The pixel values the model would see for `input`: check parity with transformers yourself. */
  async preprocess(input: CaptionInput, options?: Pick<CaptionOptions, 'signal' | 'sampling' | 'maxPixels'>): Promise<PixelValues> {
    const callerStack = captureStack(this.preprocess);
    try {
      return await this.#counted(async () => {
        this.#checkOpen();
        const o = options ?? {};
        const rawInput = await this.#resolve(input, o);
        const raw = this.#raw;
        const r = await runJob<RawPixelValues>(raw, (onEvent) => raw.preprocess(rawInput, onEvent), { signal: o.signal, callerStack });
        return { data: r.data, dims: r.dims as PixelValues['dims'], isVideo: r.isVideo };
      });
    } catch (err) {
      throw withCallerStack(err as Error, callerStack);
    }
  }

  /** Token ids of `text` (BERT WordPiece, as the model's tokenizer). */
  tokenize(text: string, options?: { addSpecialTokens?: boolean }): number[] {
    this.#checkOpen();
    if (typeof text !== 'string') throw invalidArg('text', 'a string', text);
    return Array.from(callNative(() => this.#raw.tokenize(text, options?.addSpecialTokens ?? false)));
  }

  /** Text of token ids, as transformers' decode (skip special tokens and clean-up by default). */
  detokenize(ids: number[], options?: { skipSpecialTokens?: boolean; cleanUpSpaces?: boolean }): string {
    this.#checkOpen();
    if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id))) throw invalidArg('ids', 'an array of integers', ids);
    const vocab = this.#info.text.vocabSize;
    const outside = ids.findIndex((id) => id < 0 || id >= vocab);
    if (outside >= 0) {
      throw new GitcapError('E_INVALID_ARG', `ids[${outside}] = ${ids[outside]} is not a token id: the vocabulary has ids 0 to ${vocab - 1}`);
    }
    return callNative(() => this.#raw.detokenize(ids, options?.skipSpecialTokens ?? true, options?.cleanUpSpaces ?? true));
  }

  /** Requests queued or running on this model. */
  get pending(): number {
    return this.#disposed ? 0 : this.#calls;
  }

  /**
   * Frees the model. Calls still queued or running reject with E_DISPOSED; later calls too.
   * Resolves once the native worker has stopped (at most the current graph later).
   */
  dispose(): Promise<void> {
    this.#disposed ??= this.#raw.dispose();
    return this.#disposed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  #checkOpen(): void {
    if (this.#disposed) throw new GitcapError('E_DISPOSED', 'the model has been disposed: load it again to use it');
  }

  #resolve(input: CaptionInput, o: { signal?: AbortSignal | undefined; sampling?: CaptionOptions['sampling']; maxPixels?: number | undefined }) {
    return resolveInput(input, {
      numFrames: this.#info.vision.numFrames,
      videoModel: this.#info.kind === 'video',
      sampling: o.sampling,
      maxPixels: o.maxPixels,
      signal: o.signal,
    });
  }

  async #caption(
    input: CaptionInput,
    options: CaptionOptions | undefined,
    onToken: ((piece: string, id: number) => void) | undefined,
    callerStack: string | undefined,
  ): Promise<CaptionResult> {
    return this.#counted(() => this.#captionNow(input, options, onToken, callerStack));
  }

  /** Runs `call` while counting it in `pending`. */
  async #counted<T>(call: () => Promise<T>): Promise<T> {
    this.#calls++;
    try {
      return await call();
    } finally {
      this.#calls--;
    }
  }

  async #captionNow(
    input: CaptionInput,
    options: CaptionOptions | undefined,
    onToken: ((piece: string, id: number) => void) | undefined,
    callerStack: string | undefined,
  ): Promise<CaptionResult> {
    const raw = this.#raw;
    const rawOptions = checkCaptionOptions(options, this.#info.text.maxPositions);
    this.#checkOpen();
    const signal = options?.signal;
    throwIfAborted(signal);
    const t0 = performance.now();
    const rawInput = await this.#resolve(input, options ?? {});
    const readMs = performance.now() - t0;
    this.#checkOpen();
    const r = await runJob<RawCaptionResult>(raw, (onEvent) => raw.caption(rawInput, rawOptions, onEvent), {
      signal,
      onToken,
      callerStack,
    });
    const t = r.timings;
    return {
      text: r.text,
      fullText: r.fullText,
      tokenIds: r.tokenIds,
      promptIds: r.promptIds,
      stoppedByEos: r.stoppedByEos,
      score: r.score,
      timings: {
        preprocessMs: t.preprocessMs,
        visionMs: t.visionMs,
        prefixMs: t.prefixMs,
        decodeMs: t.decodeMs,
        totalMs: t.totalMs + readMs,
        readMs,
        tokensPerSecond: t.decodeMs > 0 ? (r.tokenIds.length / t.decodeMs) * 1000 : 0,
      },
      ...definedOnly({ firstLogits: r.firstLogits, debug: r.debug }),
    };
  }
}
