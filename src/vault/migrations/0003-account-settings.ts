import type { Migration } from './types.js';

// Owned by src/account and src/settings. Filled in by that work.
export const migration0003: Migration = {
  version: 3,
  name: 'account-settings',
  up() {},
};
