// GITCAP_SANITIZED=1: the tests run on the ASan+UBSan build of the addon (.ci/run). The few checks
// that cannot hold there are skipped by name, each with its reason; nothing else changes.
export const SANITIZED = process.env.GITCAP_SANITIZED === '1';

/** `skip` for node:test: the reason under the sanitizer build, false otherwise. */
export function skipWhenSanitized(reason: string): string | false {
  return SANITIZED ? `sanitizer build: ${reason}` : false;
}

export const RSS_REASON = 'ASan quarantines freed memory and maps shadow memory, so RSS bounds do not hold';
