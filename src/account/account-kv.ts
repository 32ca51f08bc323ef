/**
 * Account facts in the vault DB (`account_kv`, migration 0003): small JSON values validated on read, and
 * key BLOBs. The DB is SQLCipher-encrypted by the vault; nothing here is ever written elsewhere.
 * Invalid JSON or values read as "absent" with a warning (key name only): never crash on a bad row.
 */
import type { z } from 'zod';
import { log } from '../log.js';
import type { SqlDatabase } from '../vault/sql.js';

export class AccountKv {
  constructor(private readonly db: SqlDatabase) {}

  getJson<T>(key: string, schema: z.ZodType<T>): T | undefined {
    const row = this.db.prepare('SELECT value FROM account_kv WHERE key = ?').get(key) as
      { value: string | null } | undefined;
    if (row?.value === undefined || row.value === null) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(row.value);
    } catch {
      log.warn('account.kv_invalid_json', { key });
      return undefined;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      log.warn('account.kv_invalid_value', { key });
      return undefined;
    }
    return parsed.data;
  }

  setJson(key: string, value: unknown): void {
    this.db
      .prepare(
        `INSERT INTO account_kv (key, value, blob, updated_at) VALUES (?, ?, NULL, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, blob = NULL, updated_at = excluded.updated_at`,
      )
      .run(key, JSON.stringify(value), Date.now());
  }

  /** A copy of a stored BLOB (the caller zeroes it when done). */
  getBlob(key: string): Buffer | undefined {
    const row = this.db.prepare('SELECT blob FROM account_kv WHERE key = ?').get(key) as
      { blob: Buffer | null } | undefined;
    return row?.blob ?? undefined;
  }

  setBlob(key: string, blob: Uint8Array): void {
    this.db
      .prepare(
        `INSERT INTO account_kv (key, value, blob, updated_at) VALUES (?, NULL, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = NULL, blob = excluded.blob, updated_at = excluded.updated_at`,
      )
      .run(key, blob, Date.now());
  }

  delete(key: string): void {
    this.db.prepare('DELETE FROM account_kv WHERE key = ?').run(key);
  }
}
