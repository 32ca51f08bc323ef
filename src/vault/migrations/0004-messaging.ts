import type { Migration } from './types.js';

// Owned by src/messaging. Filled in by that work.
export const migration0004: Migration = {
  version: 4,
  name: 'messaging',
  up() {},
};
