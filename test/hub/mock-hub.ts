// A local stand-in for the Hugging Face hub's resolve endpoint, with the headers, redirects
// and error codes of the real one, a "CDN" path for LFS files and injectable faults.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';

export const GOOD_TOKEN = 'hf_good_token';

export interface MockRepoSpec {
  id: string;
  /** Folder whose files the repo serves. */
  dir: string;
  /** Only these files of `dir` (default: all). */
  files?: string[];
  /** Extra files: name → content. */
  extra?: Record<string, Buffer | string>;
  gated?: boolean;
  /** Answer 307 to this repo's new name (the old id stays reachable only through the redirect). */
  renamedTo?: string;
}

export interface RecordedRequest {
  method: string;
  kind: 'resolve' | 'cdn' | 'other';
  repo?: string;
  revision?: string;
  file?: string;
  range?: string;
  authorization?: string;
}

export interface Fault {
  method?: 'GET' | 'HEAD';
  kind: 'resolve' | 'cdn';
  file: string;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  status?: number;
  /** Send this many bytes of the body, then drop the connection. */
  cutAfter?: number;
  /** Flip one byte of the body. */
  corrupt?: boolean;
  /** Wait before answering. */
  delayMs?: number;
}

interface ServedFile {
  content: Buffer;
  sha256: string;
  gitSha1: string;
  lfs: boolean;
}

interface ServedRepo {
  spec: MockRepoSpec;
  commit: string;
  files: Map<string, ServedFile>;
}

const LFS = /\.(safetensors|bin)$/;

export class MockHub {
  readonly requests: RecordedRequest[] = [];
  readonly proxied: string[] = [];
  private readonly repos = new Map<string, ServedRepo>();
  private readonly blobs = new Map<string, ServedFile>();
  private readonly faults: Fault[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly servers: Server[],
    readonly url: string,
    /** LFS files redirect here: another origin, like the hub's CDN. */
    readonly cdnUrl: string,
  ) {}

  static async start(repos: MockRepoSpec[]): Promise<MockHub> {
    const server = createServer();
    const cdn = createServer();
    const listen = (s: Server) =>
      new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
    const port = await listen(server);
    const hub = new MockHub([server, cdn], `http://127.0.0.1:${port}`, `http://127.0.0.1:${await listen(cdn)}`);
    for (const spec of repos) hub.addRepo(spec);
    for (const s of hub.servers) {
      s.on('request', (req, res) => void hub.handle(req, res));
      s.on('connection', (socket) => {
        hub.sockets.add(socket);
        socket.on('close', () => hub.sockets.delete(socket));
      });
    }
    // A forward proxy too: CONNECT to any host is tunnelled to this server.
    server.on('connect', (req: IncomingMessage, client: Socket) => {
      hub.proxied.push(req.url ?? '');
      const upstream = connect(port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    return hub;
  }

  addRepo(spec: MockRepoSpec): void {
    const names = spec.files ?? readdirSync(spec.dir);
    const files = new Map<string, ServedFile>();
    for (const name of names) files.set(name, this.serve(name, readFileSync(join(spec.dir, name))));
    for (const [name, content] of Object.entries(spec.extra ?? {})) files.set(name, this.serve(name, Buffer.from(content)));
    const commit = createHash('sha1').update(`commit of ${spec.id}`).digest('hex');
    this.repos.set(spec.id, { spec, commit, files });
  }

  commitOf(repoId: string): string {
    const repo = this.repos.get(repoId);
    if (!repo) throw new Error(`no mock repo ${repoId}`);
    return repo.commit;
  }

  sha256Of(repoId: string, file: string): string {
    const served = this.repos.get(repoId)?.files.get(file);
    if (!served) throw new Error(`no mock file ${repoId}/${file}`);
    return served.sha256;
  }

  addFault(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  /** Forgets recorded requests and pending faults. */
  reset(): void {
    this.requests.length = 0;
    this.proxied.length = 0;
    this.faults.length = 0;
  }

  count(filter: Partial<RecordedRequest>): number {
    return this.requests.filter((r) => Object.entries(filter).every(([k, v]) => r[k as keyof RecordedRequest] === v)).length;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private serve(name: string, content: Buffer): ServedFile {
    const file: ServedFile = {
      content,
      sha256: createHash('sha256').update(content).digest('hex'),
      gitSha1: createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex'),
      lfs: LFS.test(name),
    };
    if (file.lfs) this.blobs.set(file.sha256, file);
    return file;
  }

  private takeFault(method: string, kind: 'resolve' | 'cdn', file: string | undefined): Fault | undefined {
    const fault = this.faults.find(
      (f) => f.kind === kind && f.file === file && (f.method === undefined || f.method === method) && (f.times ?? 0) > 0,
    );
    if (fault) fault.times = (fault.times ?? 1) - 1;
    return fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', this.url);
    const path = decodeURIComponent(url.pathname);
    const record: RecordedRequest = {
      method,
      kind: 'other',
      range: req.headers.range,
      authorization: req.headers.authorization,
    };
    this.requests.push(record);
    const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(path);
    if (cdn) {
      record.kind = 'cdn';
      const blob = this.blobs.get(cdn[1]!);
      record.file = url.searchParams.get('filename') ?? undefined;
      const fault = this.takeFault(method, 'cdn', record.file);
      if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (!blob) return this.error(res, 404, 'EntryNotFound');
      if (fault?.status) return this.error(res, fault.status);
      return this.sendBody(req, res, blob, { etag: `"${blob.sha256}"` }, fault);
    }
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (!resolve) return this.error(res, 404);
    const [, repoId, revision, file] = resolve as unknown as [string, string, string, string];
    Object.assign(record, { kind: 'resolve', repo: repoId, revision, file });
    const fault = this.takeFault(method, 'resolve', file);
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.status) return this.error(res, fault.status);

    const repo = this.repos.get(repoId);
    const authorized = req.headers.authorization === `Bearer ${GOOD_TOKEN}`;
    if (!repo) return this.error(res, req.headers.authorization ? 404 : 401, 'RepoNotFound', 'Repository not found');
    if (repo.spec.renamedTo) {
      res.writeHead(307, { location: `/${repo.spec.renamedTo}/resolve/${encodeURIComponent(revision)}/${file}` });
      return void res.end();
    }
    if (repo.spec.gated && !authorized) {
      return this.error(res, req.headers.authorization ? 403 : 401, 'GatedRepo', 'Access to this model is restricted');
    }
    if (revision !== 'main' && revision !== repo.commit) return this.error(res, 404, 'RevisionNotFound', 'Invalid rev id');
    const served = repo.files.get(file);
    if (!served) return this.error(res, 404, 'EntryNotFound', 'Entry not found');
    const common = { 'x-repo-commit': repo.commit };
    if (served.lfs) {
      res.writeHead(302, {
        ...common,
        location: `${this.cdnUrl}/cdn/${served.sha256}?filename=${encodeURIComponent(file)}`,
        'x-linked-etag': `"${served.sha256}"`,
        'x-linked-size': String(served.content.length),
        etag: `"${served.sha256}"`,
        'content-length': '0',
      });
      return void res.end();
    }
    // The hub sends small files' git blob id, sometimes as a weak ETag.
    const etag = file === 'tokenizer_config.json' ? `W/"${served.gitSha1}"` : `"${served.gitSha1}"`;
    return this.sendBody(req, res, served, { ...common, etag }, fault);
  }

  private sendBody(
    req: IncomingMessage,
    res: ServerResponse,
    file: ServedFile,
    headers: Record<string, string>,
    fault: Fault | undefined,
  ): void {
    let body = file.content;
    if (fault?.corrupt) {
      body = Buffer.from(body);
      body[body.length >> 1]! ^= 0xff;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start > body.length || (range && start === body.length)) {
      res.writeHead(416, { 'content-range': `bytes */${body.length}` });
      return void res.end();
    }
    const part = body.subarray(start);
    res.writeHead(range ? 206 : 200, {
      ...headers,
      'accept-ranges': 'bytes',
      'content-length': String(part.length),
      ...(range ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    if (fault?.cutAfter !== undefined) {
      // end(), not destroy(): the client must receive the bytes before the connection closes.
      res.write(part.subarray(0, fault.cutAfter), () => res.socket?.end());
      return;
    }
    res.end(part);
  }

  private error(res: ServerResponse, status: number, code?: string, message?: string): void {
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(code ? { 'x-error-code': code } : {}),
      ...(message ? { 'x-error-message': message } : {}),
    });
    res.end(JSON.stringify({ error: message ?? `HTTP ${status}` }));
  }
}
