// Medians of repeated runs: the figure a benchmark reports, robust to one slow outlier.

/** The median of `values` (mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Each key's median over the runs, taken key by key (a stage's median, not the median run's). */
export function medianOf<K extends string>(runs: ReadonlyArray<Record<K, number>>, keys: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const key of keys) out[key] = median(runs.map((r) => r[key]));
  return out;
}
