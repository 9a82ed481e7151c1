// GitModel: the public face of a loaded GIT model.
import { stat } from 'node:fs/promises';
import { checkCaptionOptions, type CaptionOptions } from './caption-options.js';
import { captionStream, type CaptionStream } from './caption-stream.js';
import { GitcapError, throwIfAborted } from './errors.js';
import { invalidArg } from './inputs/arg-checks.js';
import { resolveInput, type CaptionInput } from './model-input.js';
import { callNative, fromNativeError } from './native/binding.js';
import type { ModelInfo, RawCaptionResult, RawModel, RawPixelValues, RawScoreResult } from './native/model-types.js';
import { captureStack, runJob, withCallerStack } from './native-job.js';
import { convertLocalCheckpoint, type LocalConvertProgress } from './local-convert.js';
import { DEFAULT_REPO_ID, pullModel, type PullOptions, type PullProgress } from './hub/pull.js';
import type { QuantType } from '../weights-convert/quant-types.js';
import { captionSegments, type SegmentCaption } from './segments/caption-segments.js';
import type { SegmentOptions } from './segments/segment-options.js';

export type Backend = 'auto' | 'cpu' | 'cuda' | 'metal' | 'vulkan';

export interface LoadOptions {
  /** Where the weights live and graphs run: 'auto' (default) takes a GPU when one is usable. */
  backend?: Backend;
  /**
   * CPU threads. Default: chosen afresh for each graph, the physical cores this process may use
   * less the cores other processes kept busy lately (Linux; elsewhere all physical cores).
   */
  threads?: number;
  /** Requests waiting or running at once before calls reject with E_BUSY (default 64). */
  maxQueue?: number;
  /** CPU: use the weights straight from the mapped file (default true). */
  useMmap?: boolean;
  /** A Hugging Face checkpoint folder is converted first, to this type (default q8_0). */
  quantization?: QuantType;
  /** Conversion cache for checkpoint folders (default: gitcap's cache folder). */
  cacheDir?: string;
  onProgress?: (progress: LoadProgress) => void;
  signal?: AbortSignal;
}

export type LoadProgress = LocalConvertProgress | { phase: 'load'; path: string };

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

export interface ScoreOptions {
  /** VQA question that comes before the text. */
  prompt?: string;
  /** Count the end-of-sequence token as part of the text (default true). */
  includeEos?: boolean;
  /** Also return the logits of every scored position. */
  returnLogits?: boolean;
  signal?: AbortSignal;
  sampling?: CaptionOptions['sampling'];
  maxPixels?: number;
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

const BACKENDS: readonly Backend[] = ['auto', 'cpu', 'cuda', 'metal', 'vulkan'];

function checkLoadOptions(options: unknown): LoadOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw invalidArg('options', 'an object', options);
  const o = options as LoadOptions;
  if (o.backend !== undefined && !BACKENDS.includes(o.backend)) throw invalidArg('backend', `one of ${BACKENDS.join(', ')}`, o.backend);
  if (o.threads !== undefined && (typeof o.threads !== 'number' || !Number.isInteger(o.threads) || o.threads < 1 || o.threads > 1024)) {
    throw invalidArg('threads', 'integer between 1 and 1024', o.threads);
  }
  if (o.maxQueue !== undefined && (typeof o.maxQueue !== 'number' || !Number.isInteger(o.maxQueue) || o.maxQueue < 1 || o.maxQueue > 1_000_000)) {
    throw invalidArg('maxQueue', 'integer between 1 and 1000000', o.maxQueue);
  }
  if (o.useMmap !== undefined && typeof o.useMmap !== 'boolean') throw invalidArg('useMmap', 'a boolean', o.useMmap);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw invalidArg('onProgress', 'a function', o.onProgress);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw invalidArg('signal', 'an AbortSignal', o.signal);
  return o;
}

export class GitModel implements AsyncDisposable {
  readonly #raw: RawModel;
  readonly #info: ModelInfo;
  #disposed: Promise<void> | undefined;
  /** Calls made and not yet settled: counted from the call, before the input is read. */
  #calls = 0;

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
      let ggufPath = path;
      const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') throw new GitcapError('E_NOT_FOUND', `${path}: no such file or folder`);
        throw new GitcapError('E_IO', `${path}: ${err.message}`, { cause: err });
      });
      if (st.isDirectory()) {
        ggufPath = await convertLocalCheckpoint(path, {
          quantization: o.quantization ?? 'q8_0',
          ...(o.cacheDir !== undefined && { cacheDir: o.cacheDir }),
          ...(o.onProgress !== undefined && { onProgress: o.onProgress }),
          ...(o.signal !== undefined && { signal: o.signal }),
        });
      }
      o.onProgress?.({ phase: 'load', path: ggufPath });
      const raw = await callNative((addon) =>
        addon.Model.load(ggufPath, {
          ...(o.backend !== undefined && { backend: o.backend }),
          ...(o.threads !== undefined && { threads: o.threads }),
          ...(o.useMmap !== undefined && { useMmap: o.useMmap }),
          ...(o.maxQueue !== undefined && { maxQueue: o.maxQueue }),
        }),
      ).catch((err: unknown) => {
        throw fromNativeError(err);
      });
      const model = new GitModel(raw);
      if (o.signal?.aborted) {
        await model.dispose();
        throwIfAborted(o.signal);
      }
      return model;
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
      const pulled = await pullModel(repoId, {
        ...pull,
        ...(cacheDir !== undefined && { cacheDir }),
        ...(onProgress !== undefined && { onProgress }),
        ...(signal !== undefined && { signal }),
      });
      return await GitModel.load(pulled.ggufPath, {
        ...(backend !== undefined && { backend }),
        ...(threads !== undefined && { threads }),
        ...(maxQueue !== undefined && { maxQueue }),
        ...(useMmap !== undefined && { useMmap }),
        ...(onProgress !== undefined && { onProgress }),
        ...(signal !== undefined && { signal }),
      });
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
   * in order; several segments are captioned at once and only their frames are held in memory.
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
    const r = await runJob<RawScoreResult>(
      raw,
      (onEvent) =>
        raw.score(
          rawInput,
          {
            ...(Array.isArray(text) ? { ids: text } : { text }),
            ...(o.prompt !== undefined && { prompt: o.prompt }),
            ...(o.includeEos !== undefined && { includeEos: o.includeEos }),
            ...(o.returnLogits !== undefined && { returnLogits: o.returnLogits }),
          },
          onEvent,
        ),
      { signal: o.signal, callerStack },
    );
    return {
      tokenIds: r.tokenIds,
      tokenLogprobs: Array.from(r.tokenLogprobs),
      total: r.total,
      ...(r.logits !== undefined && { logits: r.logits }),
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
      ...(o.sampling !== undefined && { sampling: o.sampling }),
      ...(o.maxPixels !== undefined && { maxPixels: o.maxPixels }),
      ...(o.signal !== undefined && { signal: o.signal }),
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
      ...(r.firstLogits !== undefined && { firstLogits: r.firstLogits }),
      ...(r.debug !== undefined && { debug: r.debug }),
    };
  }
}
