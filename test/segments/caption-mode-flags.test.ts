// How `gitcap caption`'s flags choose between files, --segments and folder runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCaptionMode, parseSegmentSeconds } from '../../lib/cli/caption-mode-flags.js';

const folders = new Set(['photos']);
const mode = (values: Record<string, string | boolean>, inputs: string[]) => parseCaptionMode(values, inputs, (p) => folders.has(p));

describe('caption modes', () => {
  it('reads --segments as seconds, with or without "s"', () => {
    assert.equal(parseSegmentSeconds('10'), 10);
    assert.equal(parseSegmentSeconds('2.5s'), 2.5);
    for (const bad of ['0', '-1', 'ten', '', '5m', '1e3']) assert.throws(() => parseSegmentSeconds(bad), /--segments/, bad);
  });

  it('takes the segment format from --format, --json, the -o name, else text', () => {
    assert.equal((mode({ segments: '6' }, ['a.mp4']) as { format: string }).format, 'text');
    assert.equal((mode({ segments: '6', json: true }, ['a.mp4']) as { format: string }).format, 'jsonl');
    assert.equal((mode({ segments: '6', output: 'a.vtt' }, ['a.mp4']) as { format: string }).format, 'vtt');
    assert.equal((mode({ segments: '6', output: 'a.vtt', format: 'srt' }, ['a.mp4']) as { format: string }).format, 'srt');
  });

  it('refuses what does not go with --segments', () => {
    assert.throws(() => mode({ segments: '6' }, ['a.mp4', 'b.mp4']), /one video file/);
    assert.throws(() => mode({ segments: '6' }, ['photos']), /one video file/);
    assert.throws(() => mode({ segments: '6' }, ['-']), /one video file/);
    assert.throws(() => mode({ segments: '6', format: 'ass' }, ['a.mp4']), /--format/);
    for (const flag of ['frames', 'recursive', 'resume']) {
      assert.throws(() => mode({ segments: '6', [flag]: true }, ['a.mp4']), { code: 'E_INVALID_ARG', message: new RegExp(`--${flag}`) });
    }
    assert.throws(() => mode({ format: 'srt' }, ['a.mp4']), /--format goes with --segments/);
  });

  it('runs a batch for a folder, - or --jsonl', () => {
    assert.deepEqual(mode({}, ['a.png', 'b.mp4']), { kind: 'files' });
    assert.deepEqual(mode({ recursive: true, jsonl: 'out.jsonl', resume: true, concurrency: '3' }, ['photos']), {
      kind: 'batch',
      sources: ['photos'],
      recursive: true,
      jsonl: 'out.jsonl',
      resume: true,
      concurrency: 3,
    });
    assert.equal(mode({}, ['-']).kind, 'batch');
    assert.equal(mode({ jsonl: 'o.jsonl' }, ['a.png']).kind, 'batch');
  });

  it('refuses batch flags without a batch, and --resume without --jsonl', () => {
    assert.throws(() => mode({ recursive: true }, ['a.png']), /--recursive goes with a folder/);
    assert.throws(() => mode({ resume: true }, ['photos']), /--resume needs --jsonl/);
    assert.throws(() => mode({ concurrency: '0' }, ['photos']), /--concurrency/);
    assert.throws(() => mode({ frames: true }, ['photos']), /--frames/);
    assert.throws(() => mode({}, ['-', '-']), /once/);
  });
});
