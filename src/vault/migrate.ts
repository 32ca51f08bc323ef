/** Runs the numbered schema migrations, each in its own transaction, tracked by `PRAGMA user_version`. */
import { VaultCorruptError } from '../errors.js';
import { log } from '../log.js';
import { MIGRATIONS } from './migrations/index.js';
import type { Migration } from './migrations/types.js';
import type { SqlDatabase } from './sql.js';

export function schemaVersion(db: SqlDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function latestVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.at(-1)?.version ?? 0;
}

/**
 * Brings the DB from its current version to the latest. A failing migration rolls back its own
 * transaction (earlier ones stay committed) and the error propagates. A DB newer than this code is
 * refused rather than touched.
 */
export function runMigrations(
  db: SqlDatabase,
  migrations: readonly Migration[] = MIGRATIONS,
): { from: number; to: number } {
  migrations.forEach((m, index) => {
    if (m.version !== index + 1)
      throw new Error(`migration ${m.name} is numbered ${m.version}, expected ${index + 1}`);
  });
  const from = schemaVersion(db);
  const latest = latestVersion(migrations);
  if (from > latest) {
    throw new VaultCorruptError('This vault was written by a newer Carapace (schema version too new).');
  }
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
    log.info('vault.migrated', { version: migration.version, name: migration.name });
  }
  return { from, to: Math.max(from, latest) };
}
