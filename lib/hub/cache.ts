import { access, mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { GitcapError } from '../../core/errors.js';
import { ioError, writeFileAtomic } from './fs-util.js';
import type { QuantType } from './quantization.js';

/**
 * Where models are cached: GITCAP_CACHE, else the platform's cache folder
 * ($XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows).
 */
export function defaultCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.GITCAP_CACHE) return resolve(env.GITCAP_CACHE);
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'gitcap', 'Cache');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'gitcap');
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec says to ignore relative paths.
  return join(xdg && xdg.startsWith('/') ? xdg : join(home, '.cache'), 'gitcap');
}

export function resolveCacheDir(explicit?: unknown): string {
  if (explicit === undefined) return defaultCacheDir();
  if (typeof explicit !== 'string' || explicit.length === 0) {
    throw new GitcapError('E_INVALID_ARG', `Expected a directory path for cacheDir but received ${JSON.stringify(explicit)}`);
  }
  return resolve(explicit);
}

/**
 * The cache entries of one repository:
 *   models/<owner>--<name>/refs/<revision>            the commit the revision resolved to
 *   models/<owner>--<name>/<commit>/<name>-<quant>.gguf
 *   models/<owner>--<name>/<commit>/source/            the download (kept only with keepSource)
 *   locks/<owner>--<name>.lock                         held while pulling or removing
 */
export class RepoCache {
  readonly repoDir: string;
  readonly lockPath: string;
  private readonly name: string;

  constructor(
    readonly root: string,
    readonly repoId: string,
  ) {
    const folder = repoId.replace('/', '--');
    this.repoDir = join(root, 'models', folder);
    this.lockPath = join(root, 'locks', `${folder}.lock`);
    this.name = repoId.split('/').pop() ?? repoId;
  }

  ggufPath(commit: string, quantization: QuantType): string {
    return join(this.repoDir, commit, `${this.name}-${quantization}.gguf`);
  }

  sourceDir(commit: string): string {
    return join(this.repoDir, commit, 'source');
  }

  refPath(revision: string): string {
    return join(this.repoDir, 'refs', encodeURIComponent(revision));
  }

  /** The commit a revision resolved to last time (a commit hash resolves to itself). */
  async readRef(revision: string): Promise<string | undefined> {
    if (/^[0-9a-f]{40}$/.test(revision)) return revision;
    try {
      const commit = (await readFile(this.refPath(revision), 'utf8')).trim();
      return /^[0-9a-f]{40}$/.test(commit) ? commit : undefined;
    } catch {
      return undefined;
    }
  }

  async writeRef(revision: string, commit: string): Promise<void> {
    if (revision === commit) return;
    const refsDir = join(this.repoDir, 'refs');
    await mkdir(refsDir, { recursive: true }).catch((err: unknown) => {
      throw ioError(err, refsDir);
    });
    await writeFileAtomic(this.refPath(revision), `${commit}\n`);
  }

  /** The converted GGUF for revision and quantization, when the cache has it (no network). */
  async findGguf(revision: string, quantization: QuantType): Promise<{ commit: string; ggufPath: string } | undefined> {
    const commit = await this.readRef(revision);
    if (!commit) return undefined;
    const ggufPath = this.ggufPath(commit, quantization);
    return (await exists(ggufPath)) ? { commit, ggufPath } : undefined;
  }
}

/** Next to a GGUF converted from the Hugging Face cache: the snapshot it was converted from. */
export const hfOriginPath = (ggufPath: string) => `${ggufPath}.hf-cache`;

export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
