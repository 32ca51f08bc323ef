import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VaultCorruptError } from '../errors.js';
import { setLogSink } from '../log.js';
import { Database, applyKey } from './driver.js';
import { latestVersion, runMigrations, schemaVersion } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import type { Migration } from './migrations/types.js';
import type { SqlDatabase } from './sql.js';
import { hashTree } from '../test-support/files.js';
import { createTestProfile, TEST_KDF } from '../test-support/vault.js';
import { VAULT_FILES, Vault } from './vault.js';
import { mkdirSync } from 'node:fs';

const disposers: (() => void)[] = [];
afterEach(() => {
  while (disposers.length) disposers.pop()?.();
});

function encryptedDb(): { db: SqlDatabase; path: string } {
  const profile = createTestProfile();
  mkdirSync(profile.dir, { recursive: true });
  const path = join(profile.dir, 'm.db');
  const key = randomBytes(32);
  const db = new Database(path);
  applyKey(db, key);
  disposers.push(() => {
    if (db.open) db.close();
    profile.dispose();
  });
  return { db, path };
}

function schemaOf(db: SqlDatabase): unknown[] {
  return db
    .prepare(
      "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all();
}

describe('migrations', () => {
  it('are numbered 1..n with unique names', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(new Set(MIGRATIONS.map((m) => m.name)).size).toBe(MIGRATIONS.length);
  });

  it('migrate a DB from every older version to the latest, with the same schema as a fresh one', () => {
    setLogSink(() => {});
    const fresh = encryptedDb().db;
    expect(runMigrations(fresh)).toEqual({ from: 0, to: latestVersion() });
    const expected = schemaOf(fresh);
    expect(expected.length).toBeGreaterThan(0);

    for (let version = 0; version <= latestVersion(); version++) {
      const { db } = encryptedDb();
      runMigrations(db, MIGRATIONS.slice(0, version));
      expect(schemaVersion(db)).toBe(version);
      expect(runMigrations(db)).toEqual({ from: version, to: latestVersion() });
      expect(schemaVersion(db)).toBe(latestVersion());
      expect(schemaOf(db)).toEqual(expected);
      // Running again is a no-op.
      expect(runMigrations(db)).toEqual({ from: latestVersion(), to: latestVersion() });
    }
  });

  it('roll back a failing migration entirely and keep earlier ones', () => {
    const { db } = encryptedDb();
    const broken: Migration[] = [
      { version: 1, name: 'ok', up: (d) => d.exec('CREATE TABLE a (x)') },
      {
        version: 2,
        name: 'fails halfway',
        up: (d) => {
          d.exec('CREATE TABLE b (x)');
          throw new Error('boom');
        },
      },
    ];
    expect(() => runMigrations(db, broken)).toThrow('boom');
    expect(schemaVersion(db)).toBe(1);
    expect(schemaOf(db).map((r) => (r as { name: string }).name)).toEqual(['a']);
  });

  it('refuse a DB from a newer version, through the vault too, without touching it', async () => {
    setLogSink(() => {});
    const profile = createTestProfile();
    disposers.push(() => profile.dispose());
    const vault = new Vault(profile.dir, { kdf: TEST_KDF });
    await vault.create(Buffer.from('newer'));
    vault.db.pragma(`user_version = ${latestVersion() + 1}`);
    vault.lock();
    const before = hashTree(profile.dir).get(VAULT_FILES.db);
    await expect(vault.unlock(Buffer.from('newer'))).rejects.toBeInstanceOf(VaultCorruptError);
    expect(vault.state).toBe('locked');
    expect(hashTree(profile.dir).get(VAULT_FILES.db)).toBe(before);
  });
});
