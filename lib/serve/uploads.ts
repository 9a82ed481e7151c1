// Uploaded bytes land in one private folder (mode 0700) under the system's temporary folder, in
// files named by the server; each request removes its own files when it ends, whatever the path.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tooLarge } from './http-error.js';

export class UploadFolder {
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
  }

  static async create(): Promise<UploadFolder> {
    const path = await mkdtemp(join(tmpdir(), 'gitcap-serve-'));
    await chmod(path, 0o700); // mkdtemp already does; said explicitly because it matters
    return new UploadFolder(path);
  }

  /** The files of one request, together at most `maxBytes`. */
  forRequest(maxBytes: number): RequestUploads {
    return new RequestUploads(this.path, maxBytes);
  }

  async remove(): Promise<void> {
    await rm(this.path, { recursive: true, force: true });
  }
}

export class RequestUploads {
  readonly #folder: string;
  readonly #maxBytes: number;
  readonly #files: string[] = [];
  #bytes = 0;

  constructor(folder: string, maxBytes: number) {
    this.#folder = folder;
    this.#maxBytes = maxBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  #newFile(): string {
    const file = join(this.#folder, randomUUID());
    this.#files.push(file);
    return file;
  }

  /** Streams `source` to a new file; fails with 413 once the request's bytes pass the limit. */
  async save(source: Readable, signal?: AbortSignal): Promise<string> {
    const file = this.#newFile();
    const count = new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        this.#bytes += chunk.length;
        done(this.#bytes > this.#maxBytes ? tooLarge(this.#maxBytes) : null, chunk);
      },
    });
    await pipeline(source, count, createWriteStream(file, { flags: 'wx', mode: 0o600 }), signal ? { signal } : {});
    return file;
  }

  async saveBytes(bytes: Uint8Array): Promise<string> {
    this.#bytes += bytes.length;
    if (this.#bytes > this.#maxBytes) throw tooLarge(this.#maxBytes);
    const file = this.#newFile();
    await writeFile(file, bytes, { flag: 'wx', mode: 0o600 });
    return file;
  }

  async remove(): Promise<void> {
    await Promise.all(this.#files.splice(0).map((f) => rm(f, { force: true })));
  }
}
