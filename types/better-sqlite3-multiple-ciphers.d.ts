// better-sqlite3-multiple-ciphers ships index.d.ts but its package.json "exports" does not name it, so
// NodeNext resolution cannot see it. This shim points TypeScript at it through a types-only alias; a
// `paths` entry for the real name would also be followed by tsx at runtime and load the .d.ts.
declare module 'better-sqlite3-multiple-ciphers' {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the only form that re-exports an `export =` module
  import Database = require('#better-sqlite3-multiple-ciphers-types');
  export = Database;
}
