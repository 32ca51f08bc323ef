import type { Migration } from './types.js';

// Owned by src/vault: core tables (meta, encrypted file index, settings). Filled in by the vault work.
export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  up() {},
};
