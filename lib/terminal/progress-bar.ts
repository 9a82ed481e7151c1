// A one-line progress bar for stderr: percentage, amount, speed and ETA. It draws only on a
// terminal; elsewhere it prints its label once, so logs stay readable.

export interface ProgressBarOptions {
  /** Default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** 'bytes' shows "12.3 MB/45.6 MB" and a speed; 'count' shows "3/10". */
  unit?: 'bytes' | 'count';
  /** Milliseconds between redraws (default 100). */
  intervalMs?: number;
  now?: () => number;
}

const SPEED_WINDOW_MS = 5000;

export class ProgressBar {
  private readonly stream: NonNullable<ProgressBarOptions['stream']>;
  private readonly unit: 'bytes' | 'count';
  private readonly intervalMs: number;
  private readonly now: () => number;
  private samples: { t: number; done: number }[] = [];
  private lastDraw = -Infinity;
  private announced = '';
  private drawn = false;

  constructor(
    private label: string,
    options: ProgressBarOptions = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.unit = options.unit ?? 'bytes';
    this.intervalMs = options.intervalMs ?? 100;
    this.now = options.now ?? Date.now;
  }

  /** `total` undefined: unknown size, shown without percentage and ETA. */
  update(done: number, total: number | undefined, label = this.label): void {
    const t = this.now();
    this.samples.push({ t, done });
    while (this.samples.length > 2 && t - this.samples[0]!.t > SPEED_WINDOW_MS) this.samples.shift();
    const changedLabel = label !== this.label;
    this.label = label;
    if (!this.stream.isTTY) {
      if (this.announced !== label) this.stream.write(`${label}\n`);
      this.announced = label;
      return;
    }
    if (!changedLabel && done !== total && t - this.lastDraw < this.intervalMs) return;
    this.lastDraw = t;
    this.drawn = true;
    this.stream.write(`\r${renderLine(this.label, done, total, this.speed(), this.unit, this.stream.columns ?? 80)}\x1b[K`);
  }

  /** Ends the bar's line; `message` replaces it. */
  finish(message?: string): void {
    if (this.stream.isTTY && this.drawn) this.stream.write(message === undefined ? '\n' : `\r${message}\x1b[K\n`);
    else if (message !== undefined) this.stream.write(`${message}\n`);
    this.drawn = false;
  }

  /** Units per second over the last few seconds. */
  private speed(): number | undefined {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.t - first.t < 200) return undefined;
    return ((last.done - first.done) * 1000) / (last.t - first.t);
  }
}

export function renderLine(
  label: string,
  done: number,
  total: number | undefined,
  speed: number | undefined,
  unit: 'bytes' | 'count',
  columns: number,
): string {
  const amount = unit === 'bytes' ? `${formatBytes(done)}${total === undefined ? '' : `/${formatBytes(total)}`}` : `${done}${total === undefined ? '' : `/${total}`}`;
  const parts = [amount];
  if (unit === 'bytes' && speed !== undefined) parts.push(`${formatBytes(speed)}/s`);
  if (total !== undefined && speed !== undefined && speed > 0 && done < total) parts.push(`ETA ${formatDuration((total - done) / speed)}`);
  const tail = `  ${parts.join('  ')}`;
  if (total === undefined || total <= 0) return `${label}${tail}`.slice(0, columns - 1);
  const fraction = Math.min(1, done / total);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const room = columns - 1 - label.length - percent.length - tail.length - 4;
  if (room < 10) return `${label} ${percent}${tail}`.slice(0, columns - 1);
  const width = Math.min(room, 40);
  const filled = Math.round(fraction * width);
  return `${label} ${percent} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${tail}`;
}

/** 1_234_000 → "1.23 MB": decimal units, as the hub shows sizes. */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let i = 0;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return i === 0 ? `${Math.round(value)} B` : `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[i]}`;
}

/** Seconds as "m:ss" or "h:mm:ss". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
