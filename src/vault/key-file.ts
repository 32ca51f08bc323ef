/**
 * The explicit, insecure no-passphrase mode: the raw vault key in a 0600 file next to the DB. Anyone who
 * can read the profile can read the vault. Leaving the mode shreds the file.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { VaultCorruptError } from '../errors.js';
import { KEY_BYTES, type KeyBufferTracker } from './driver.js';
import { shredFile, writeFileAtomic } from './fs-util.js';
import type { SqlDatabase } from './sql.js';

/** A random key, written to `keyFilePath` (creating the 0700 profile directory if needed). */
export function createKeyFile(profileDir: string, keyFilePath: string, track: KeyBufferTracker): Buffer {
  const key = randomBytes(KEY_BYTES);
  track(key);
  mkdirSync(profileDir, { recursive: true, mode: 0o700 });
  writeFileAtomic(keyFilePath, key, 0o600);
  return key;
}

/** The stored key, or undefined when there is no key file; a file of the wrong size is VaultCorruptError. */
export function readKeyFile(keyFilePath: string, track: KeyBufferTracker): Buffer | undefined {
  if (!existsSync(keyFilePath)) return undefined;
  const key = readFileSync(keyFilePath);
  track(key);
  if (key.length !== KEY_BYTES) {
    key.fill(0);
    throw new VaultCorruptError('The vault key file is damaged.');
  }
  return key;
}

/** The vault now has a passphrase: record it and shred the key file. */
export function leaveKeyFileMode(db: SqlDatabase, keyFilePath: string): void {
  db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('insecure_no_passphrase', '0')").run();
  shredFile(keyFilePath);
}

/** A key file left behind by an interrupted switch to a passphrase. */
export function shredStaleKeyFile(keyFilePath: string): void {
  if (existsSync(keyFilePath)) shredFile(keyFilePath);
}
