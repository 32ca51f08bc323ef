/**
 * Tests and benches only: what an examiner holding a key gets from a vault DB — a copy (with its WAL) opened
 * under the key and rewritten as plaintext — and the vault key a passphrase yields from a version-2 header.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, applyKey, keyIsCorrect } from '../driver.js';
import type { VaultHeader } from '../header.js';
import { deriveKey } from '../kdf.js';
import { unwrapKey, wrappingKey } from '../key-wrap.js';

/** The plaintext bytes of the DB at `dbPath` under `key`, or undefined when the key does not open it. */
export function decryptedCopy(dbPath: string, key: Buffer): Buffer | undefined {
  if (!existsSync(dbPath)) return undefined;
  const scratch = mkdtempSync(join(tmpdir(), 'carapace-decrypt-'));
  try {
    const copy = join(scratch, 'copy.db');
    copyFileSync(dbPath, copy);
    if (existsSync(`${dbPath}-wal`)) copyFileSync(`${dbPath}-wal`, `${copy}-wal`);
    const db = new Database(copy);
    try {
      applyKey(db, key);
      if (!keyIsCorrect(db)) return undefined;
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.rekey(Buffer.alloc(0));
    } finally {
      db.close();
    }
    return readFileSync(copy);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The vault key `passphrase` unwraps from the header's current slot, or undefined. */
export async function vaultKeyFromHeader(
  header: VaultHeader,
  passphrase: string,
): Promise<Buffer | undefined> {
  const slot = header.current;
  if (slot.kind !== 'argon2id' || slot.wrapped === undefined)
    throw new Error('not a version-2 passphrase vault');
  const derived = await deriveKey(Buffer.from(passphrase, 'utf8'), Buffer.from(slot.salt, 'base64'), slot);
  const kek = wrappingKey(derived);
  derived.fill(0);
  const key = unwrapKey(kek, slot.wrapped, 'key');
  kek.fill(0);
  return key;
}
