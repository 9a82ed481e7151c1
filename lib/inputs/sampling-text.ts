// Frame sampling written as text, as the --sampling flag and the server's `sampling` field take it.
import { GitcapError } from '../../core/errors.js';
import { checkSampling, type FrameSampling } from './sampling.js';

/**
 * `uniform`, `window:<frameSampleRate>[:<seed>]` or `timestamps:<s>,<s>,...` (seconds from the
 * first frame, one per frame the model takes). Messages name the flag, --sampling.
 */
export function parseSampling(text: string): FrameSampling {
  const [kind, ...rest] = text.split(':');
  const bad = () =>
    new GitcapError(
      'E_INVALID_ARG',
      `Expected uniform, window:<frameSampleRate>[:<seed>] or timestamps:<seconds>,... for --sampling but received ${JSON.stringify(text)}`,
    );
  const num = (s: string | undefined) => {
    if (s === undefined || s.trim() === '' || !Number.isFinite(Number(s))) throw bad();
    return Number(s);
  };
  let sampling: FrameSampling;
  if (kind === 'uniform' && rest.length === 0) sampling = 'uniform';
  else if (kind === 'window' && rest.length === 1) sampling = { kind: 'window', frameSampleRate: num(rest[0]) };
  else if (kind === 'window' && rest.length === 2) sampling = { kind: 'window', frameSampleRate: num(rest[0]), seed: num(rest[1]) };
  else if (kind === 'timestamps' && rest.length === 1) {
    sampling = { kind: 'timestamps', timestamps: rest[0]!.split(',').map(num) };
  } else throw bad();
  // The number of timestamps is checked against the model once it is loaded.
  const count = typeof sampling === 'object' && sampling.kind === 'timestamps' ? sampling.timestamps.length : 1;
  checkSampling(sampling, count);
  return sampling;
}
