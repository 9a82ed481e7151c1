// The native addon with its full type (addon-types.ts). Finding and loading it is
// core/addon-loader.ts's, which the converter's quantizer shares.
import { loadAddon as loadNativeAddon, withNativeErrors } from '../../core/addon-loader.js';
import type { Addon } from './addon-types.js';

export { addonCandidates, fromNativeError, loadAddonFrom, type LoadAttempt } from '../../core/addon-loader.js';

export interface LoadedAddon {
  addon: Addon;
  /** The file that was loaded. */
  path: string;
}

/** The addon and the path it was loaded from; throws E_NATIVE (every place tried) when it cannot load. */
export function loadAddon(): LoadedAddon {
  const { addon, path } = loadNativeAddon();
  return { addon: addon as Addon, path };
}

/** The native addon, loaded on first use and cached (a failure too: it throws the same E_NATIVE error again). */
export function getAddon(): Addon {
  return loadAddon().addon;
}

/**
 * Runs a call into the addon: an error the addon raised with a gitcap code becomes a
 * GitcapError with that code (the native error is its cause); any other error passes unchanged.
 */
export function callNative<T>(fn: (addon: Addon) => T): T {
  const addon = getAddon();
  return withNativeErrors(() => fn(addon));
}
