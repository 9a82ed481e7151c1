// Child process for pull.test.ts: one pullModel call; prints "waiting" when it has to wait
// for another process, then the result as JSON.
import './loopback-guard.js';
import { pullModel } from '../../lib/hub/pull.js';
import { blockedConnections } from './loopback-guard.js';
import { FAST_RETRY } from './helpers.js';

const [endpoint, cacheDir, repoId] = process.argv.slice(2) as [string, string, string];
const result = await pullModel(repoId, {
  endpoint,
  cacheDir,
  quantization: 'f16',
  retry: FAST_RETRY,
  onProgress: (p) => {
    if (p.phase === 'wait') process.stdout.write('waiting\n');
  },
});
process.stdout.write(`${JSON.stringify({ ...result, blockedConnections })}\n`);
