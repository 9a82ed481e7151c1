// gitcap's public API.
export { GitcapError, isGitcapError } from './errors.js';
export type { GitcapErrorCode } from './errors.js';
export { info } from './info.js';
export type { CpuInfo, DeviceInfo, GitcapInfo } from './info.js';
export { GitModel } from './model.js';
export type { Backend, CaptionResult, LoadOptions, LoadProgress, ModelInfo, PixelValues, ScoreOptions, ScoreResult, Timings } from './model.js';
export type { CaptionOptions } from './caption-options.js';
export type { CaptionInput, ImageLike, PixelValuesInput, RawImageInput } from './model-input.js';
export { DEFAULT_REPO_ID, pullModel } from './hub/pull.js';
export type { PullOptions, PullProgress, PullResult } from './hub/pull.js';
export { listCache, removeCached, defaultCacheDir } from './hub/index.js';
export { readVideoFrames } from './inputs/video.js';
export type { FrameSampling, ReadVideoOptions, VideoFrames } from './inputs/video.js';
export { convertCheckpoint, readGgufMetadata, QUANT_TYPES } from '../weights-convert/index.js';
export type { ConvertOptions, ConvertProgress, ConvertResult, QuantType } from '../weights-convert/index.js';
export { serve, createRequestHandler } from './serve/index.js';
export type { GitcapServer, GitcapRequestHandler, ServeOptions, ServeLimits } from './serve/index.js';
