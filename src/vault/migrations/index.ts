import { migration0001 } from './0001-initial.js';
import { migration0002 } from './0002-signal-stores.js';
import type { Migration } from './types.js';

/** Every schema step, in order. Append only. */
export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002];
