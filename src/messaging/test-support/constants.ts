/** Low Argon2 parameters so tests and child processes unlock a vault in milliseconds (never in the app). */
export const TEST_KDF = { memoryKiB: 1024, timeCost: 1, parallelism: 1 } as const;
export const TEST_PASSPHRASE = 'messaging test passphrase';
