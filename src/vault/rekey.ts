/**
 * Crash-safe rekey of the open vault DB. Order: (1) header gets `pending` = the new slot (atomic rename);
 * (2) PRAGMA rekey rewrites every page in ONE SQLite transaction (WAL: uncommitted frames are ignored
 * after a crash, committed ones are all under the new key); (3) header commits `current` = new slot. A
 * kill at any point leaves a DB that opens with exactly one of the two keys, and unlock tries both while
 * `pending` exists, committing whichever works. The duress slot the rekey ends with is written in step (1):
 * it is valid for both slots' salt (a rekey that changes parameters gives it random bytes).
 */
import { errorFields, log } from '../log.js';
import { applyRekey, type KeyBufferTracker } from './driver.js';
import { makeHeader, writeHeader, type KeySlot, type VaultHeader } from './header.js';
import type { SqlDatabase } from './sql.js';

/**
 * Steps (1) and (2). If this throws, SQLite rolled the rekey back: the DB is still under the current
 * key, `newKey` is zeroed and the header no longer names a pending slot (or unlock resolves it).
 * Once it returns, the DB is under `newKey` whatever fails next.
 */
export function rekeyPages(
  db: SqlDatabase,
  headerPath: string,
  header: VaultHeader,
  next: { readonly slot: KeySlot; readonly duress: string },
  newKey: Buffer,
  tracker: KeyBufferTracker,
): void {
  writeHeader(headerPath, makeHeader(header.current, { pending: next.slot, duress: next.duress }));
  // The rekey commit must be on disk before the header names the new key as the only one (power loss,
  // not just a process kill): FULL makes the WAL commit fsync, the checkpoint then syncs the DB file.
  db.pragma('synchronous = FULL');
  try {
    applyRekey(db, newKey, tracker);
  } catch (error) {
    db.pragma('synchronous = NORMAL');
    newKey.fill(0);
    try {
      writeHeader(headerPath, makeHeader(header.current, header.duress ? { duress: header.duress } : {}));
    } catch (headerError) {
      log.warn('vault.rekey.header_revert_failed', errorFields(headerError)); // unlock resolves `pending`
    }
    throw error;
  }
}

/** Step (3), after rekeyPages: checkpoint the DB file, then the header names only the new slot. */
export function commitRekey(
  db: SqlDatabase,
  headerPath: string,
  next: { readonly slot: KeySlot; readonly duress: string },
): VaultHeader {
  db.pragma('synchronous = NORMAL');
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch (error) {
    log.warn('vault.rekey.checkpoint_failed', errorFields(error)); // the FULL commit is already durable
  }
  const committed = makeHeader(next.slot, { duress: next.duress });
  writeHeader(headerPath, committed);
  return committed;
}
