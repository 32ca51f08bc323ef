import type { Migration } from './types.js';

// Owned by src/signal: libsignal protocol stores. Filled in by the protocol work.
export const migration0002: Migration = {
  version: 2,
  name: 'signal-stores',
  up() {},
};
