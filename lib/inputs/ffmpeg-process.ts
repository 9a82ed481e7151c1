import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { abortError, GitcapError } from '../../core/errors.js';

/** One run of ffmpeg or ffprobe, bounded in time and output. */
export interface ToolRun {
  /** The executable; spawned directly, never through a shell. */
  readonly file: string;
  readonly args: readonly string[];
  /** Names the run in error messages, e.g. "ffprobe on /videos/a.mp4". */
  readonly what: string;
  /** Absolute time (Date.now()) after which the run is killed. */
  readonly deadline: number;
  /** The caller's timeout, quoted in the timeout error. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** More stdout than this kills the run. */
  readonly maxStdoutBytes: number;
  /** Receives stdout as it arrives; without it stdout is collected and returned. May throw to stop the run. */
  readonly onStdout?: (chunk: Buffer) => void;
  /** Receives each stderr line. May throw to stop the run. */
  readonly onStderrLine?: (line: string) => void;
}

export interface ToolResult {
  readonly exitCode: number | null;
  readonly exitSignal: NodeJS.Signals | null;
  /** Collected stdout (empty when onStdout was given). */
  readonly stdout: Buffer;
  /** The last stderr lines (at most 200). */
  readonly stderrTail: readonly string[];
}

const STDERR_TAIL_LINES = 200;
const STDERR_LINE_CHARS = 4096;

/**
 * Runs the tool and resolves once the process has exited and been reaped, whatever happened:
 * on timeout, abort, too much output or a throwing callback it is killed (SIGKILL) and the
 * promise rejects only after its exit, so no child outlives the call.
 */
export function runTool(run: ToolRun): Promise<ToolResult> {
  if (run.signal?.aborted) return Promise.reject(abortError(run.signal));
  return new Promise((resolve, reject) => {
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(run.file, run.args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, shell: false });
    } catch (err) {
      // Invalid arguments are thrown synchronously (an exec failure is an 'error' event).
      reject(new GitcapError('E_FFMPEG', `Cannot run ${run.file}: ${(err as Error).message}`, { cause: err }));
      return;
    }
    const chunks: Buffer[] = [];
    const stderrTail: string[] = [];
    let stdoutBytes = 0;
    let pendingStderr = '';
    let failure: unknown;

    const fail = (err: unknown) => {
      if (failure !== undefined) return;
      failure = err;
      child.kill('SIGKILL');
      // A grandchild holding the pipes open must not delay the exit: drop them.
      child.stdout.destroy();
      child.stderr.destroy();
    };
    const onAbort = () => fail(abortError(run.signal));
    const timer = setTimeout(
      () => fail(new GitcapError('E_FFMPEG', `${run.what} did not finish within timeoutMs (${run.timeoutMs} ms) and was stopped`)),
      Math.max(0, run.deadline - Date.now()),
    );
    run.signal?.addEventListener('abort', onAbort, { once: true });

    const guarded = (action: () => void) => {
      if (failure !== undefined) return;
      try {
        action();
      } catch (err) {
        fail(err);
      }
    };
    const takeStderrLine = (raw: string) => {
      const line = raw.length > STDERR_LINE_CHARS ? raw.slice(0, STDERR_LINE_CHARS) : raw;
      stderrTail.push(line);
      if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
      run.onStderrLine?.(line);
    };

    child.stdout.on('data', (chunk: Buffer) =>
      guarded(() => {
        stdoutBytes += chunk.length;
        if (stdoutBytes > run.maxStdoutBytes) {
          throw new GitcapError('E_FFMPEG', `${run.what} wrote more than the expected ${run.maxStdoutBytes} bytes and was stopped`);
        }
        if (run.onStdout) run.onStdout(chunk);
        else chunks.push(chunk);
      }),
    );
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) =>
      guarded(() => {
        const lines = (pendingStderr + text).split(/\r?\n|\r/);
        pendingStderr = lines.pop() ?? '';
        if (pendingStderr.length > STDERR_LINE_CHARS) pendingStderr = pendingStderr.slice(0, STDERR_LINE_CHARS);
        for (const line of lines) takeStderrLine(line);
      }),
    );
    child.on('error', (err) =>
      fail(new GitcapError('E_FFMPEG', `Cannot run ${run.file}: ${err.message}`, { cause: err })),
    );

    // 'close' comes after the exit (the process is reaped) and after both pipes ended.
    child.on('close', (exitCode, exitSignal) => {
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
      if (failure === undefined && pendingStderr !== '') guarded(() => takeStderrLine(pendingStderr));
      if (failure !== undefined) reject(failure);
      else resolve({ exitCode, exitSignal, stdout: Buffer.concat(chunks), stderrTail });
    });
  });
}
