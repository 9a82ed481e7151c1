// The bytes behind a chat request's image or video URL, saved to the request's private folder:
// a data: URL is decoded; an http(s) URL is fetched only from a host the server allows, with the
// upload size limit and a time limit, and never following a redirect elsewhere.
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { badRequest, HttpError, tooLarge } from './http-error.js';
import type { RequestUploads } from './uploads.js';

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)?((?:;[\w-]+=[^;,]*)*)(;base64)?,/i;
const FETCH_TIMEOUT_MS = 30_000;

export interface MediaFile {
  path: string;
  /** The URL's media type says video. */
  video: boolean;
}

export async function saveMedia(url: string, files: RequestUploads, maxBytes: number, allowHosts: ReadonlySet<string>, signal: AbortSignal): Promise<MediaFile> {
  const data = DATA_URL.exec(url);
  if (data) {
    const body = url.slice(data[0].length);
    // base64 is 4 characters for 3 bytes: refuse before decoding anything too large
    if ((data[3] ? (body.length * 3) / 4 : body.length) > maxBytes + 3) throw tooLarge(maxBytes);
    const bytes = data[3] ? Buffer.from(body, 'base64') : Buffer.from(decodeURIComponent(body), 'latin1');
    if (bytes.length === 0) throw badRequest('An empty data: URL');
    return { path: await files.saveBytes(bytes), video: /^video\//i.test(data[1] ?? '') };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest('An image or video URL must be a data: URL (or an http(s) URL of an allowed host)');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw badRequest(`Unsupported URL scheme ${parsed.protocol}: use a data: URL`);
  if (!allowHosts.has(parsed.host.toLowerCase()) && !allowHosts.has(parsed.hostname.toLowerCase())) {
    throw badRequest(`Remote URLs are refused: send the image as a data: URL, or start the server with --allow-url-host ${parsed.hostname}`);
  }
  let response: Response;
  try {
    response = await fetch(parsed, { redirect: 'error', signal: AbortSignal.any([signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]) });
  } catch (err) {
    if (signal.aborted) throw err;
    throw new HttpError(400, 'E_NETWORK', `Could not fetch ${parsed.origin}${parsed.pathname}: ${(err as Error).message}`);
  }
  if (!response.ok || !response.body) throw new HttpError(400, 'E_NETWORK', `Fetching ${parsed.origin}${parsed.pathname} answered ${response.status}`);
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) throw tooLarge(maxBytes);
  const path = await files.save(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), signal);
  return { path, video: /^video\//i.test(response.headers.get('content-type') ?? '') };
}
