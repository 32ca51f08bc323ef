/** The few statistics the benchmarks report: rounding for the JSON, quantiles of repeated timings. */

export const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

/** The q-quantile (0.5: median) of `values`, by rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** How many, median, 90th percentile and maximum of repeated timings (ms). */
export const timings = (values: readonly number[]) => ({
  count: values.length,
  medianMs: round(quantile(values, 0.5)),
  p90Ms: round(quantile(values, 0.9)),
  maxMs: round(Math.max(...values)),
});
