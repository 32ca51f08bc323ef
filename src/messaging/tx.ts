/**
 * One writer at a time. The receive pipeline holds a SQLite transaction open across libsignal's
 * async store calls (so the ratchet step and the stored message commit together); anything else that
 * writes through the same connection (the sender's session updates, mark-read) must wait its turn or
 * it would silently join — and on rollback lose — that transaction.
 */
import type { SqlDatabase } from '../vault/sql.js';
import type { MessageStore } from './store.js';

export class WriteLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * `BEGIN IMMEDIATE` … `COMMIT` around an async function, under the write lock. Avoid it: any write
 * made on the connection by other code during the awaits joins this transaction (and is rolled back
 * with it). The receiver now stages libsignal's writes (src/signal/staged-stores.ts) and commits
 * synchronously; this remains for decryptors without staging and for the bench's in-process limit.
 * Store events fire only after COMMIT; on any error the transaction is rolled back and its events
 * dropped.
 */
export async function asyncTransaction<T>(
  lock: WriteLock,
  db: SqlDatabase,
  store: MessageStore,
  fn: () => Promise<T>,
): Promise<T> {
  return lock.run(async () => {
    db.exec('BEGIN IMMEDIATE');
    let result: T;
    try {
      result = await fn();
      db.exec('COMMIT');
    } catch (error) {
      if (db.open && db.inTransaction) db.exec('ROLLBACK');
      store.discardEvents();
      throw error;
    }
    store.commitEvents();
    return result;
  });
}
