/**
 * Finding the key that opens the vault: each key slot of the header (two while a rekey is pending) is
 * turned into a candidate key — Argon2id of the passphrase, or the no-passphrase key file — and probed on
 * a read-only connection, so a wrong guess changes no vault file.
 */
import { VaultCorruptError } from '../errors.js';
import type { KeyBufferTracker } from './driver.js';
import type { KeySlot, VaultHeader } from './header.js';
import { deriveKey, isWeaker, type KdfParams } from './kdf.js';
import { readKeyFile } from './key-file.js';
import { verifyKey } from './keyed-database.js';

/** The slots unlock tries, current first; a slot weaker than `floor` means a tampered header. */
export function unlockSlots(header: VaultHeader, floor: KdfParams): KeySlot[] {
  const slots = header.pending ? [header.current, header.pending] : [header.current];
  if (slots.some((slot) => slot.kind === 'argon2id' && isWeaker(slot, floor))) {
    throw new VaultCorruptError('The vault header asks for weaker key derivation than this build accepts.');
  }
  return slots;
}

/** The first slot whose key opens the DB with that key, or undefined (every rejected key is zeroed). */
export async function findUnlockingKey(
  slots: readonly KeySlot[],
  passphrase: Buffer | undefined,
  files: { readonly db: string; readonly keyFile: string },
  track: KeyBufferTracker,
): Promise<{ slot: KeySlot; key: Buffer } | undefined> {
  for (const slot of slots) {
    const key = await keyForSlot(slot, passphrase, files.keyFile, track);
    if (!key) continue;
    if (verifyKey(files.db, key, track)) return { slot, key };
    key.fill(0);
  }
  return undefined;
}

async function keyForSlot(
  slot: KeySlot,
  passphrase: Buffer | undefined,
  keyFilePath: string,
  track: KeyBufferTracker,
): Promise<Buffer | undefined> {
  if (slot.kind === 'keyfile') return readKeyFile(keyFilePath, track);
  if (!passphrase) return undefined;
  const key = await deriveKey(passphrase, Buffer.from(slot.salt, 'base64'), slot);
  track(key);
  return key;
}
