/**
 * One process per profile: the app, the web harness and the CLI (`audit-settings --apply`) must not open
 * the same profile at once (the CLI would change settings the running app never sees, and each process
 * would get its own unlock throttle).
 *
 * The lock is an operating-system file lock held by an open descriptor: an empty SQLite file
 * (`vault.lock`) on which this process keeps an EXCLUSIVE transaction open. SQLite takes it with fcntl
 * locks on Unix and LockFileEx on Windows, and the OS drops both when the process ends however it ends
 * (kill -9, a crash, power loss), so a dead holder never blocks anyone and there is no PID to reuse or
 * race for. A pid file with a liveness check would be the alternative; it cannot tell a recycled PID
 * from the holder without platform-specific start times, and taking over a stale file races. Known
 * limit: network file systems may not honour these locks.
 *
 * The hold is per process, not per Vault object: Vault objects of one process on the same profile share
 * it (a reopen, tests), and it is let go when the last of them shuts down or the process exits.
 */
import { closeSync, mkdirSync, openSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { ProfileInUseError } from '../errors.js';
import { Database } from './driver.js';
import type { SqlDatabase } from './sql.js';

const LOCK_FILE = 'vault.lock';

/** Profiles this process holds (by real path), with the number of Vault objects that hold each. */
const held = new Map<string, { readonly db: SqlDatabase; holders: number }>();

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

export class ProfileLock {
  private released = false;
  private constructor(private readonly key: string) {}

  /**
   * Hold `profileDir` (created 0700 when missing) for this process; ProfileInUseError when another
   * process holds it. Never waits.
   */
  static acquire(profileDir: string): ProfileLock {
    mkdirSync(profileDir, { recursive: true, mode: 0o700 });
    const key = realpathSync(profileDir);
    const entry = held.get(key);
    if (entry) {
      entry.holders += 1;
      return new ProfileLock(key);
    }
    const path = join(key, LOCK_FILE);
    closeSync(openSync(path, 'a', 0o600)); // created private, like every file of the profile
    const db = new Database(path, { timeout: 0 });
    try {
      // No page is ever written: the transaction exists only for its lock, which lasts until close. The
      // journal stays in memory (this build refuses OFF), so a killed holder leaves only the empty file.
      db.pragma('journal_mode = MEMORY');
      db.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      db.close();
      if (isBusy(error)) throw new ProfileInUseError();
      throw error;
    }
    held.set(key, { db, holders: 1 });
    return new ProfileLock(key);
  }

  /** This holder lets go; the lock itself goes with the process's last holder. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    const entry = held.get(this.key);
    if (!entry) return;
    entry.holders -= 1;
    if (entry.holders > 0) return;
    held.delete(this.key);
    entry.db.close();
  }
}
