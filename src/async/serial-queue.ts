/**
 * Runs async operations one at a time, in call order. A failed operation does not stop the queue: the
 * next one runs after it settles either way, and its caller still sees the rejection.
 *
 * The one primitive for "this must not interleave" (vault open/rekey, the messaging write lock,
 * client start/stop): hand-rolled promise chains drifted apart before (some swallowed errors, some
 * leaked unhandled rejections).
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(operation: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(operation, operation);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
