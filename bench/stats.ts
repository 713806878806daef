// Small helpers for benchmarks: medians over repeated timings, peak memory, formatting.

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of an empty list");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `fn` `warmup` times untimed, then `repeats` times; returns each run's milliseconds. */
export async function timeRuns(fn: () => unknown, repeats: number, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times;
}

export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

export function fmtRange(times: readonly number[]): string {
  return `median ${fmtMs(median(times))} (min ${fmtMs(Math.min(...times))}, max ${fmtMs(Math.max(...times))}, n=${times.length})`;
}
