// The caption option table against the contracts it drives: the keys the addon reads, the flags
// of `gitcap caption`, the options a queued job may carry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CAPTION_OPTION_NAMES, CAPTION_OPTION_TABLE, JOB_CAPTION_OPTIONS, captionOptionRow } from '../../lib/options/caption-option-table.js';
import { checkCaptionOptions } from '../../lib/options/caption-options.js';

describe('caption option table', () => {
  it('sends the addon exactly the keys its caption() reads', () => {
    const native = CAPTION_OPTION_NAMES.filter((name) => captionOptionRow(name).native);
    assert.deepEqual(native.sort(), [
      'debugTensors', 'earlyStopping', 'lengthPenalty', 'maxNewTokens', 'minNewTokens', 'numBeams', 'prompt', 'repetitionPenalty',
      'returnFirstLogits', 'seed', 'temperature', 'topK', 'topP',
    ]);
    const raw = checkCaptionOptions(
      { maxNewTokens: 5, prompt: 'what?', maxPixels: 100, sampling: 'uniform', signal: new AbortController().signal, debugTensors: ['vision.frame0'] },
      1024,
    );
    assert.deepEqual(raw, { maxNewTokens: 5, prompt: 'what?', debugTensors: ['vision.frame0'] });
  });

  it('names the flags of gitcap caption', () => {
    const flags = Object.fromEntries(CAPTION_OPTION_NAMES.flatMap((name) => (captionOptionRow(name).flag ? [[name, captionOptionRow(name).flag]] : [])));
    assert.deepEqual(flags, {
      maxNewTokens: 'max-new-tokens', minNewTokens: 'min-new-tokens', numBeams: 'beams', temperature: 'temperature', topK: 'top-k',
      topP: 'top-p', seed: 'seed', repetitionPenalty: 'repetition-penalty', prompt: 'prompt', sampling: 'sampling',
    });
  });

  it('lets jobs carry the options that are plain data', () => {
    assert.deepEqual([...JOB_CAPTION_OPTIONS], [
      'maxNewTokens', 'minNewTokens', 'numBeams', 'lengthPenalty', 'earlyStopping', 'temperature', 'topK', 'topP', 'seed',
      'repetitionPenalty', 'prompt', 'sampling', 'maxPixels',
    ]);
  });

  it('bounds minNewTokens by the maxNewTokens of the same call, else its default', () => {
    assert.equal(CAPTION_OPTION_TABLE.maxNewTokens.default, 20);
    assert.throws(() => checkCaptionOptions({ minNewTokens: 21 }, 1024), { message: 'Expected integer between 0 and 20 for minNewTokens but received 21 of type number' });
    assert.deepEqual(checkCaptionOptions({ maxNewTokens: 30, minNewTokens: 21 }, 1024), { maxNewTokens: 30, minNewTokens: 21 });
  });
});
