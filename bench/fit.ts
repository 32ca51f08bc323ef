/**
 * Least-squares fit of time over count (as Signal-Desktop's startup benchmark fits its sweep): the slope
 * is the steady-state cost per item, so its inverse is items per second without the fixed start cost.
 * The slope's standard error gives the rate's error; with 3 points it has 1 degree of freedom.
 */
export interface RateFit {
  readonly perSecond: number;
  /** ± of perSecond from the slope's standard error (null with fewer than 3 points). */
  readonly perSecondError: number | null;
  /** Fixed cost (ms): the intercept. */
  readonly fixedMs: number;
  readonly r2: number;
}

const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

export function fitRate(
  points: ReadonlyArray<{ readonly count: number; readonly ms: number }>,
): RateFit | null {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((a, p) => a + p.count, 0) / n;
  const my = points.reduce((a, p) => a + p.ms, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const p of points) {
    sxy += (p.count - mx) * (p.ms - my);
    sxx += (p.count - mx) ** 2;
    syy += (p.ms - my) ** 2;
  }
  const slope = sxy / sxx;
  if (!(slope > 0)) return null;
  const intercept = my - slope * mx;
  const residual = points.reduce((a, p) => a + (p.ms - (intercept + slope * p.count)) ** 2, 0);
  const slopeError = n > 2 ? Math.sqrt(residual / (n - 2) / sxx) : null;
  const perSecond = 1000 / slope;
  return {
    perSecond: round(perSecond),
    // d(1/s) = ds / s²: the rate's error from the slope's.
    perSecondError: slopeError === null ? null : round((perSecond * slopeError) / slope),
    fixedMs: round(intercept),
    r2: round(syy === 0 ? 1 : 1 - residual / syy, 4),
  };
}
