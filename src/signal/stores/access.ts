/**
 * What every store shares: the guard that cuts the stores off from the DB on vault lock, the per-store
 * prepared-statement cache, and the helpers that keep libsignal's promise contract and zero secret bytes.
 */
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import { ProtocolError, VaultLockedError } from '../../errors.js';
import type { SqlDatabase } from '../../vault/sql.js';
import { ownBytes, wipe } from '../bytes.js';

export interface Guard {
  disposed: boolean;
}

export class StoreAccess {
  /** Prepared once per store and connection: re-preparing cost ~0.2 ms per received message. */
  readonly #statements = new Map<string, Statement<unknown[]>>();
  constructor(
    private readonly connection: SqlDatabase,
    private readonly guard: Guard,
  ) {}
  get db(): SqlDatabase {
    if (this.guard.disposed) {
      this.#statements.clear(); // dropped with the connection on lock/dispose
      throw new VaultLockedError();
    }
    return this.connection;
  }
  prepare(sql: string): Statement<unknown[]> {
    const db = this.db;
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

export const now = (): number => Date.now();

/** Run synchronous store code as a promise: errors (VaultLockedError, ProtocolError) become rejections. */
export function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Deserialize a secret blob read from SQLite, then zero both the row's Buffer and our copy. */
export function secretFrom<T>(blob: Buffer, deserialize: (bytes: Uint8Array<ArrayBuffer>) => T): T {
  const copy = ownBytes(blob);
  try {
    return deserialize(copy);
  } finally {
    wipe(copy, blob);
  }
}

/** Serialize a secret record for one write, then zero the serialized bytes. */
export function withSecret(serialized: Uint8Array, write: (bytes: Uint8Array) => void): void {
  try {
    write(serialized);
  } finally {
    wipe(serialized);
  }
}

/** The stored record or a ProtocolError (libsignal expects getters for missing keys to throw). */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new ProtocolError(`No ${what} with that id.`);
  return value;
}
