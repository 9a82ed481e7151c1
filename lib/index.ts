// gitcap's public API.
export { GitcapError, isGitcapError } from './errors.js';
export type { GitcapErrorCode } from './errors.js';
export { info } from './info.js';
export type { CpuInfo, DeviceInfo, GitcapInfo } from './info.js';
export { GitModel } from './model.js';
export type { Backend, CaptionResult, LoadOptions, LoadProgress, ModelInfo, PixelValues, ScoreOptions, ScoreResult, Timings } from './model.js';
export type { CaptionOptions } from './caption-options.js';
export type { CaptionInput, ImageLike, PixelValuesInput, RawImageInput } from './model-input.js';
