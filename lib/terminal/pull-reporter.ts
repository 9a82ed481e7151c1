import type { PullProgress, PullResult } from '../hub/pull.js';
import { ProgressBar, type ProgressBarOptions } from './progress-bar.js';

/** Shows a pull's progress on stderr: one bar for the download, one for the conversion. */
export class PullReporter {
  private bar: ProgressBar | undefined;
  private phase: PullProgress['phase'] | undefined;

  constructor(
    private readonly repoId: string,
    private readonly options: ProgressBarOptions = {},
  ) {}

  readonly onProgress = (p: PullProgress): void => {
    if (p.phase !== this.phase) {
      this.bar?.finish();
      this.bar = p.phase === 'wait' ? undefined : new ProgressBar('', this.options);
      this.phase = p.phase;
    }
    if (p.phase === 'wait') {
      const who = p.holderPid === undefined ? 'another gitcap process' : `another gitcap process (pid ${p.holderPid})`;
      this.write(`Waiting for ${who} pulling ${this.repoId}\n`);
    } else if (p.phase === 'download') {
      this.bar?.update(p.totalBytesDone, p.totalBytesTotal, `Downloading ${p.file} (${p.filesDone + 1}/${p.filesTotal})`);
    } else {
      this.bar?.update(p.bytesDone, p.bytesTotal, `Converting to ${p.file}`);
    }
  };

  finish(result: PullResult): void {
    this.bar?.finish();
    this.bar = undefined;
    const what = result.fromCache ? 'cached' : 'downloaded and converted';
    this.write(`${result.repoId} ${result.quantization} (commit ${result.commit.slice(0, 12)}): ${what}\n`);
  }

  /** Leaves the current line (after an error). */
  abandon(): void {
    this.bar?.finish();
    this.bar = undefined;
  }

  private write(text: string): void {
    (this.options.stream ?? process.stderr).write(text);
  }
}
