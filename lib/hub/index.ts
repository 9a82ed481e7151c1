// Models from the Hugging Face hub: download, convert, cache (see README, "Model cache").

export { DEFAULT_REPO_ID, pullModel, type PullOptions, type PullProgress, type PullResult, type WaitProgress } from './pull.js';
export type { DownloadProgress } from './source.js';
export type { ConvertProgress } from './cache-convert.js';
export { DEFAULT_QUANTIZATION, type QuantType } from './quantization.js';
export { defaultCacheDir } from './cache.js';
export { listCache, removeCached, type CacheEntry } from './cache-entries.js';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
