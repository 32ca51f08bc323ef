import type { SqlDatabase } from '../sql.js';

/**
 * One schema step. Migrations are numbered globally (0001, 0002, ...), each in its own file under
 * src/vault/migrations/, listed in order in ./index.ts, and run by the vault inside a transaction.
 * A migration never rewrites history: fix mistakes with a new migration.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: SqlDatabase): void;
}
