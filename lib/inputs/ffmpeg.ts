import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { GitcapError } from '../../core/errors.js';

/** Absolute or PATH-relative locations of the two executables video input needs. */
export interface FfmpegTools {
  readonly ffmpeg: string;
  readonly ffprobe: string;
}

export interface FfmpegLocateOptions {
  /** Wins over FFMPEG_PATH. */
  readonly ffmpegPath?: string;
  /** Wins over FFPROBE_PATH. */
  readonly ffprobePath?: string;
  /** Where FFMPEG_PATH, FFPROBE_PATH and PATH are read; `process.env` by default. */
  readonly env?: NodeJS.ProcessEnv;
}

type ToolName = 'ffmpeg' | 'ffprobe';

export const INSTALL_HINT =
  'Install ffmpeg (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg; ' +
  'Windows: choco install ffmpeg) or set FFMPEG_PATH and FFPROBE_PATH to the ffmpeg and ffprobe executables.';

// npm packages that ship a binary; used only when the user installed one of them.
const NPM_PACKAGES: Record<ToolName, readonly string[]> = {
  ffmpeg: ['ffmpeg-static', '@ffmpeg-installer/ffmpeg'],
  ffprobe: ['@ffprobe-installer/ffprobe', 'ffprobe-static'],
};

/**
 * Finds ffmpeg and ffprobe, each in this order: the explicit option, FFMPEG_PATH / FFPROBE_PATH,
 * the directory of the other tool when that one was given explicitly, an installed npm package
 * that ships the binary, then PATH. Throws E_FFMPEG with install instructions when one is missing.
 */
export async function findFfmpegTools(options: FfmpegLocateOptions = {}): Promise<FfmpegTools> {
  const env = options.env ?? process.env;
  const ffmpegGiven = await explicitTool('ffmpeg', options.ffmpegPath, env.FFMPEG_PATH);
  const ffprobeGiven = await explicitTool('ffprobe', options.ffprobePath, env.FFPROBE_PATH);
  const ffmpeg = ffmpegGiven ?? (await siblingOf(ffprobeGiven, 'ffmpeg', env)) ?? (await discoverTool('ffmpeg', env));
  if (ffmpeg === undefined) throw new GitcapError('E_FFMPEG', `ffmpeg was not found. ${INSTALL_HINT}`);
  const ffprobe = ffprobeGiven ?? (await siblingOf(ffmpeg, 'ffprobe', env)) ?? (await discoverTool('ffprobe', env));
  if (ffprobe === undefined) {
    throw new GitcapError('E_FFMPEG', `ffprobe was not found (ffmpeg is at ${ffmpeg}). ${INSTALL_HINT}`);
  }
  return { ffmpeg, ffprobe };
}

async function explicitTool(tool: ToolName, option: string | undefined, envValue: string | undefined) {
  const source = option !== undefined ? `the ${tool}Path option` : tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH';
  const given = option ?? (envValue === '' ? undefined : envValue);
  if (given === undefined) return undefined;
  if (!(await isExecutableFile(given))) {
    throw new GitcapError('E_FFMPEG', `${source} is set to ${given}, but no executable file is there. ${INSTALL_HINT}`);
  }
  return given;
}

// ffprobe ships next to ffmpeg in every distribution, so one explicit path is enough.
async function siblingOf(given: string | undefined, tool: ToolName, env: NodeJS.ProcessEnv) {
  if (given === undefined) return undefined;
  for (const name of executableNames(tool, env)) {
    const candidate = path.join(path.dirname(given), name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

async function discoverTool(tool: ToolName, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return (await fromNpmPackage(tool)) ?? (await fromPath(tool, env));
}

async function fromNpmPackage(tool: ToolName): Promise<string | undefined> {
  for (const name of NPM_PACKAGES[tool]) {
    let imported: unknown;
    try {
      imported = await import(name);
    } catch {
      continue; // not installed
    }
    const found = binaryPathOf(imported);
    if (found !== undefined && (await isExecutableFile(found))) return found;
  }
  return undefined;
}

// ffmpeg-static exports the path itself; the others export `{ path }`.
function binaryPathOf(imported: unknown): string | undefined {
  const value = (imported as { default?: unknown }).default ?? imported;
  if (typeof value === 'string') return value;
  const nested = (value as { path?: unknown } | null)?.path;
  return typeof nested === 'string' ? nested : undefined;
}

async function fromPath(tool: ToolName, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter((dir) => dir !== '');
  for (const dir of dirs) {
    for (const name of executableNames(tool, env)) {
      const candidate = path.join(dir, name);
      if (await isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

function executableNames(tool: ToolName, env: NodeJS.ProcessEnv): string[] {
  if (process.platform !== 'win32') return [tool];
  const extensions = (env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').filter((ext) => ext !== '');
  return extensions.map((ext) => tool + ext.toLowerCase());
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
