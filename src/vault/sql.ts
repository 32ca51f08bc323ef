import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';

/** The SQLCipher connection type every store in src/ is written against. Only src/vault opens one. */
export type SqlDatabase = BetterSqlite3.Database;
