// The API key check: `Authorization: Bearer <key>` or `x-api-key: <key>`, compared in constant
// time (both sides hashed first, so that not even the key's length leaks).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpError } from './http-error.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

export function keyChecker(apiKey: string): (headers: IncomingHttpHeaders) => void {
  const expected = digest(apiKey);
  return (headers) => {
    const auth = headers.authorization;
    const given = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : (headers['x-api-key'] as string | undefined);
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      throw new HttpError(401, 'E_UNAUTHORIZED', given === undefined ? 'Missing API key: send Authorization: Bearer <key>' : 'Wrong API key', {
        'www-authenticate': 'Bearer',
      });
    }
  };
}
