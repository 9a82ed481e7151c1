import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressBar, formatBytes, formatDuration, renderLine } from '../../lib/terminal/progress-bar.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 100, write: (s: string) => writes.push(s) > 0 } as never };
}

describe('progress bar', () => {
  it('formats sizes and durations', () => {
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(1_234_000), '1.23 MB');
    assert.equal(formatBytes(45_600_000), '45.6 MB');
    assert.equal(formatBytes(712_000_000), '712 MB');
    assert.equal(formatDuration(4.4), '0:04');
    assert.equal(formatDuration(3725), '1:02:05');
  });

  it('renders percentage, bar, amount, speed and ETA within the terminal width', () => {
    assert.equal(
      renderLine('Downloading', 25_000_000, 100_000_000, 5_000_000, 'bytes', 100),
      'Downloading  25% [##########..............................]  25.0 MB/100 MB  5.00 MB/s  ETA 0:15',
    );
    assert.equal(renderLine('Converting', 3, undefined, undefined, 'count', 80), 'Converting  3');
    assert.ok(renderLine('x'.repeat(70), 1, 2, 1, 'bytes', 60).length <= 59);
  });

  it('redraws one line on a terminal, at most once per interval', () => {
    const { writes, stream } = fakeStream(true);
    let now = 0;
    const bar = new ProgressBar('Downloading', { stream, now: () => now });
    bar.update(0, 1000);
    now = 50;
    bar.update(500, 1000); // within the interval: skipped
    now = 1000;
    bar.update(1000, 1000);
    bar.finish('done');
    assert.deepEqual(writes, [
      `\r${renderLine('Downloading', 0, 1000, undefined, 'bytes', 100)}\x1b[K`,
      `\r${renderLine('Downloading', 1000, 1000, 1000, 'bytes', 100)}\x1b[K`,
      '\rdone\x1b[K\n',
    ]);
  });

  it('prints each label once when stderr is not a terminal', () => {
    const { writes, stream } = fakeStream(false);
    const bar = new ProgressBar('a', { stream });
    bar.update(1, 10);
    bar.update(2, 10);
    bar.update(3, 10, 'b');
    bar.finish();
    assert.deepEqual(writes, ['a\n', 'b\n']);
  });
});
