/**
 * Transitional: the shared test helpers live in src/test-support (vault.ts, files.ts). The API, main,
 * e2e and messaging tests still import these names from here until they switch; then this file goes.
 */
export { createTestProfile as tempProfile, TEST_KDF } from '../../test-support/vault.js';
export { scanTree } from '../../test-support/files.js';
