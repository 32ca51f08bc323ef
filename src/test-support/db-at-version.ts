import { onTestFinished } from 'vitest';
import type { SqlDatabase } from '../vault/sql.js';
import { createTestDbAtVersion } from './vault.js';

/**
 * For a migration test: a SQLCipher DB migrated to `version` only (the data an older Carapace left),
 * closed and deleted when the running test finishes. Only inside a vitest test.
 */
export function dbAtVersion(version: number): SqlDatabase {
  const test = createTestDbAtVersion(version);
  onTestFinished(() => test.dispose());
  return test.db;
}
