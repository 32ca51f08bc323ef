/**
 * The one bounded wait of the code base: closing a worker, quitting while files are shredded, stopping the
 * demo network. Waits for `work`, but at most `limitMs`; a rejection of `work` is rethrown (callers that
 * only care about completion pass `Promise.allSettled(...)`). The timer is cleared as soon as `work`
 * settles and never keeps the process alive by itself.
 */
export async function within(work: Promise<unknown>, limitMs: number): Promise<'settled' | 'timed-out'> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), limitMs);
    timer.unref();
  });
  try {
    return await Promise.race([work.then(() => 'settled' as const), limit]);
  } finally {
    clearTimeout(timer);
  }
}
