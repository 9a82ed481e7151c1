// The JSON lines file of a folder run: each finished file is one line, written whole with one
// write, so that an interrupted run leaves complete lines (at most a partial last one, which
// --resume cuts off) and a resumed run knows which files are done.
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { GitcapError } from '../../core/errors.js';

export interface JsonlOutput {
  /** Files already in the output when it was opened with resume (empty otherwise). */
  readonly done: ReadonlySet<string>;
  writeLine(record: object): void;
  close(): void;
}

function ioError(file: string, err: unknown): GitcapError {
  return new GitcapError('E_IO', `${file}: cannot write the file (${(err as Error).message})`, { cause: err });
}

/** The `file` of every complete line; where the complete lines end. */
export function parseDoneLines(text: string): { done: Set<string>; completeLength: number } {
  const completeLength = text.lastIndexOf('\n') + 1;
  const done = new Set<string>();
  for (const line of text.slice(0, completeLength).split('\n')) {
    if (line.trim() === '') continue;
    try {
      const record = JSON.parse(line) as { file?: unknown };
      if (typeof record.file === 'string') done.add(record.file);
    } catch {
      // not a line of ours: left as it is
    }
  }
  return { done, completeLength };
}

/** Opens `file` for new lines: emptied, or with `resume` continued after its complete lines. */
export function openJsonlOutput(file: string, resume: boolean): JsonlOutput {
  let done = new Set<string>();
  let fd: number;
  try {
    if (resume) {
      let text = '';
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      const parsed = parseDoneLines(text);
      done = parsed.done;
      fd = openSync(file, 'a');
      // A line cut short by the interruption is dropped: its file is captioned again.
      ftruncateSync(fd, Buffer.byteLength(text.slice(0, parsed.completeLength)));
    } else {
      fd = openSync(file, 'w');
    }
  } catch (err) {
    throw ioError(file, err);
  }
  return {
    done,
    writeLine(record) {
      try {
        writeSync(fd, `${JSON.stringify(record)}\n`);
      } catch (err) {
        throw ioError(file, err);
      }
    },
    close: () => closeSync(fd),
  };
}
