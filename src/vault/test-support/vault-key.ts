/**
 * Test/bench-only: the key material of a passphrase vault, derived again from its header and the passphrase
 * — in the MEASURING process, so the memory-wipe measurement learns the keys without the measured process
 * making one more copy of them (and without any log). The caller zeroes every Buffer.
 */
import { join } from 'node:path';
import { deriveKey } from '../kdf.js';
import { readHeader } from '../header.js';
import { unwrapKey, wrappingKey } from '../key-wrap.js';
import { VAULT_FILES } from '../vault.js';

export interface VaultKeyMaterial {
  /** The SQLCipher key. */
  readonly vaultKey: Buffer;
  /** Argon2id(passphrase): the key-encryption key is derived from it. */
  readonly kdfOutput: Buffer;
  /** The key the vault key is wrapped under in the header. */
  readonly kek: Buffer;
}

export async function deriveVaultKeyForTest(
  profileDir: string,
  passphrase: string,
): Promise<VaultKeyMaterial> {
  const slot = readHeader(join(profileDir, VAULT_FILES.header))?.current;
  if (slot?.kind !== 'argon2id' || slot.wrapped === undefined) throw new Error('not a passphrase vault');
  const kdfOutput = await deriveKey(Buffer.from(passphrase, 'utf8'), Buffer.from(slot.salt, 'base64'), slot);
  const kek = wrappingKey(kdfOutput);
  const vaultKey = unwrapKey(kek, slot.wrapped, 'key');
  if (!vaultKey) throw new Error('the passphrase does not open this vault');
  return { vaultKey, kdfOutput, kek };
}
