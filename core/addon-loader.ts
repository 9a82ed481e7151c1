// Finds and loads the native addon (a prebuild or the source build) and turns the errors it
// raises into GitcapErrors. Its shape is described where it is used: lib/native/addon-types.ts for
// the API, core/quantize-types.ts for the converter's quantizer.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { GitcapError, type GitcapErrorCode } from './errors.js';
import { packageRoot } from './package-info.js';
import { hostPlatform, prebuildUnavailableReason, type HostPlatform } from './platform.js';

/** One place the addon was looked for, and why it was not used. */
export interface LoadAttempt {
  path: string;
  error: string;
}

/** What require() returned: an object with at least info(), typed by each user for its part. */
export type NativeAddon = object;

export interface LoadedAddon {
  addon: NativeAddon;
  /** The file that was loaded. */
  path: string;
}

const requireNative = createRequire(import.meta.url);
let loaded: LoadedAddon | undefined;
let failure: GitcapError | undefined;

/**
 * The addon and the path it was loaded from: loaded on first use and cached (a failure too: it
 * throws the same E_NATIVE error again).
 */
export function loadAddon(): LoadedAddon {
  if (loaded) return loaded;
  if (failure) throw failure;
  try {
    const host = hostPlatform();
    loaded = loadAddonFrom(addonCandidates(packageRoot(), process.env, host), process.env, prebuildUnavailableReason(host));
    return loaded;
  } catch (err) {
    failure = err as GitcapError;
    throw err;
  }
}

/**
 * Where the addon is looked for, in order: GITCAP_ADDON_PATH alone when set; else the prebuilt
 * binary for this platform (prebuilds/<platform>-<arch>/*.node) where one can run (not on musl
 * libc or a glibc older than the prebuilds' floor), then the source build (build/Release/gitcap.node).
 */
export function addonCandidates(
  root: string = packageRoot(),
  env: NodeJS.ProcessEnv = process.env,
  host: HostPlatform = hostPlatform(),
): string[] {
  const override = env.GITCAP_ADDON_PATH;
  if (override) return [path.resolve(override)];
  const sourceBuild = path.join(root, 'build', 'Release', 'gitcap.node');
  if (prebuildUnavailableReason(host) !== undefined) return [sourceBuild];
  const prebuildDir = path.join(root, 'prebuilds', host.name);
  let prebuilds: string[] = [];
  try {
    prebuilds = fs
      .readdirSync(prebuildDir)
      .filter((name) => name.endsWith('.node'))
      .sort((a, b) => Number(b === 'gitcap.node') - Number(a === 'gitcap.node') || a.localeCompare(b))
      .map((name) => path.join(prebuildDir, name));
  } catch {
    // no prebuilt binary for this platform
  }
  if (prebuilds.length === 0) prebuilds = [path.join(prebuildDir, 'gitcap.node')];
  return [...prebuilds, sourceBuild];
}

/**
 * Loads the first candidate that loads and looks like gitcap's addon. Otherwise throws one
 * E_NATIVE error that lists every attempt with its error, why no prebuild was tried (when none
 * can run here) and what to do.
 */
export function loadAddonFrom(
  candidates: string[],
  env: NodeJS.ProcessEnv = process.env,
  noPrebuildReason?: string,
): LoadedAddon {
  const attempts: LoadAttempt[] = [];
  for (const file of candidates) {
    if (!fs.existsSync(file)) {
      attempts.push({ path: file, error: 'not found' });
      continue;
    }
    try {
      const addon = requireNative(file) as { info?: unknown };
      if (typeof addon.info !== 'function') {
        attempts.push({ path: file, error: 'loaded, but it is not the gitcap addon (no info())' });
        continue;
      }
      return { addon, path: file };
    } catch (err) {
      attempts.push({ path: file, error: firstLine(err) });
    }
  }
  throw new GitcapError('E_NATIVE', loadFailureMessage(attempts, env, noPrebuildReason));
}

function loadFailureMessage(attempts: LoadAttempt[], env: NodeJS.ProcessEnv, noPrebuildReason?: string): string {
  const platform = `${process.platform}-${process.arch}`;
  const lines = [
    `The gitcap native addon could not be loaded (${platform}, Node.js ${process.version}, Node-API ${process.versions.napi}). Tried:`,
    ...attempts.map((a) => `  - ${a.path}: ${a.error}`),
  ];
  if (noPrebuildReason && !env.GITCAP_ADDON_PATH) lines.push(`No prebuilt binary was tried: ${noPrebuildReason}.`);
  if (env.GITCAP_ADDON_PATH) {
    lines.push('GITCAP_ADDON_PATH is set, so only that file was tried: unset it to use the installed binaries.');
  } else {
    lines.push(
      'To build it from source, install a C++17 compiler and CMake 3.18 or later (Debian/Ubuntu:',
      '`apt-get install g++ cmake`; Alpine: `apk add build-base cmake`; macOS: `xcode-select --install`',
      'and `brew install cmake`), then run',
      '`npm rebuild gitcap`. If a prebuilt binary for this platform should exist, report the line above',
      'in an issue. Set GITCAP_LOG=debug to see what ggml logs while loading.',
    );
  }
  return lines.join('\n');
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}

/**
 * Runs a call into the addon: an error the addon raised with a gitcap code becomes a
 * GitcapError with that code (the native error is its cause); any other error passes unchanged.
 */
export function withNativeErrors<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    throw fromNativeError(err);
  }
}

/** The GitcapError for an error thrown by the addon, or the error itself if it has no gitcap code. */
export function fromNativeError(err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof GitcapError) return err;
  const code: unknown = (err as Error & { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('E_')) {
    return new GitcapError(code as GitcapErrorCode, err.message, { cause: err });
  }
  return err;
}
