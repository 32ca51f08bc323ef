/** How much a piece of work grows this process's memory at its peak: RSS, V8 heap and Buffer memory. */

export interface Peaks {
  readonly rssMiB: number;
  readonly heapMiB: number;
  readonly buffersMiB: number;
}

const toMiB = (bytes: number): number => Number((bytes / (1024 * 1024)).toFixed(1));

/** Peak growth over the baseline while `work` runs (sampled every 5 ms, and once at the end). */
export async function peakGrowth(work: () => Promise<unknown>): Promise<Peaks> {
  const base = process.memoryUsage();
  let rss = base.rss;
  let heap = base.heapUsed;
  let buffers = base.arrayBuffers;
  const sample = (): void => {
    const now = process.memoryUsage();
    rss = Math.max(rss, now.rss);
    heap = Math.max(heap, now.heapUsed);
    buffers = Math.max(buffers, now.arrayBuffers);
  };
  const timer = setInterval(sample, 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
    sample();
  }
  return {
    rssMiB: toMiB(rss - base.rss),
    heapMiB: toMiB(heap - base.heapUsed),
    buffersMiB: toMiB(buffers - base.arrayBuffers),
  };
}
