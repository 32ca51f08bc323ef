/**
 * Finding the key that opens the vault. ONE Argon2id run per distinct salt and parameters (one, except
 * while a rekey that changed the parameters is pending): its key-encryption key then tries the vault key
 * slot and the duress slot, both always and in that order, and the result is probed on a read-only
 * connection — the same probe whichever slot opened — so a normal and a duress passphrase do the same
 * work. A wrong guess changes no vault file.
 */
import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { VaultCorruptError } from '../errors.js';
import type { KeyBufferTracker } from './driver.js';
import type { Argon2Slot, KeySlot, VaultHeader } from './header.js';
import { deriveKey, isWeaker, type KdfParams } from './kdf.js';
import { readKeyFile } from './key-file.js';
import { verifyKey } from './keyed-database.js';
import { unwrapKey, wrappingKey } from './key-wrap.js';

/**
 * What the passphrase opened: the vault (with the slot that did; `inFresh` when the key opens the fresh
 * vault of an unfinished duress erase instead of `vault.db`), or the duress slot.
 */
export type UnlockMatch =
  | { readonly kind: 'vault'; readonly slot: KeySlot; readonly key: Buffer; readonly inFresh: boolean }
  | {
      readonly kind: 'duress';
      /** The duress passphrase's key-encryption key under `slot`'s salt and parameters. */
      readonly kek: Buffer;
      readonly slot: Argon2Slot;
    };

/** How long the current slot's derivation took: wall time, and CPU time over all lanes (an attacker's cost). */
export interface DeriveCost {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** Refuses a header whose slots are weaker than `floor` (a tampered header). */
export function checkSlotFloor(header: VaultHeader, floor: KdfParams): void {
  const slots = header.pending ? [header.current, header.pending] : [header.current];
  if (slots.some((slot) => slot.kind === 'argon2id' && isWeaker(slot, floor))) {
    throw new VaultCorruptError('The vault header asks for weaker key derivation than this build accepts.');
  }
}

/** Argon2id runs of one unlock, one per distinct salt and parameters. */
class Derivations {
  private readonly done = new Map<string, Buffer>();
  private readonly keks: Buffer[] = [];
  cost: DeriveCost | undefined;
  constructor(
    private readonly passphrase: Buffer,
    private readonly track: KeyBufferTracker,
  ) {}

  async kekFor(slot: Argon2Slot): Promise<{ derived: Buffer; kek: Buffer }> {
    const id = `${slot.salt}/${slot.memoryKiB}/${slot.timeCost}/${slot.parallelism}`;
    let derived = this.done.get(id);
    if (!derived) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      derived = await deriveKey(this.passphrase, Buffer.from(slot.salt, 'base64'), slot);
      const used = process.cpuUsage(cpu);
      this.cost ??= { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
      this.track(derived);
      this.done.set(id, derived);
    }
    const kek = wrappingKey(derived);
    this.track(kek);
    this.keks.push(kek);
    return { derived, kek };
  }

  /** Zeroes every derived key and key-encryption key of this unlock. */
  zero(): void {
    for (const derived of this.done.values()) derived.fill(0);
    for (const kek of this.keks) kek.fill(0);
  }
}

/** The slot whose key opens the DB, the duress slot, or undefined (every rejected key is zeroed). */
export async function findUnlockingKey(
  header: VaultHeader,
  passphrase: Buffer | undefined,
  files: { readonly db: string; readonly fresh: string; readonly keyFile: string },
  track: KeyBufferTracker,
): Promise<{ match: UnlockMatch | undefined; cost: DeriveCost | undefined }> {
  const derivations = passphrase ? new Derivations(passphrase, track) : undefined;
  const candidates: { slot: KeySlot; key: Buffer }[] = [];
  let duress: { kek: Buffer; key: Buffer; slot: Argon2Slot } | undefined;
  try {
    for (const slot of header.pending ? [header.current, header.pending] : [header.current]) {
      if (slot.kind === 'keyfile') {
        const key = readKeyFile(files.keyFile, track);
        if (key) candidates.push({ slot, key });
        continue;
      }
      if (!derivations) continue;
      const { derived, kek } = await derivations.kekFor(slot);
      const key = slot.wrapped === undefined ? Buffer.from(derived) : unwrapKey(kek, slot.wrapped, 'key');
      if (key) candidates.push({ slot, key: tracked(key, track) });
      if (slot === header.current && header.duress !== undefined) {
        const duressKey = unwrapKey(kek, header.duress, 'duress');
        if (duressKey)
          duress = { kek: tracked(Buffer.from(kek), track), key: tracked(duressKey, track), slot };
      }
    }
  } finally {
    derivations?.zero();
  }
  const cost = derivations?.cost;
  let match: Extract<UnlockMatch, { kind: 'vault' }> | undefined;
  for (const candidate of candidates) {
    if (existsSync(files.db) && verifyKey(files.db, candidate.key, track)) {
      match = { kind: 'vault', ...candidate, inFresh: false };
      break;
    }
  }
  // A duress erase killed after its commit point: the header's key opens only the fresh vault.
  const first = candidates[0];
  const wrapped = header.current.kind === 'argon2id' && header.current.wrapped !== undefined;
  if (!match && first?.slot === header.current && wrapped && existsSync(files.fresh)) {
    if (verifyKey(files.fresh, first.key, track)) match = { kind: 'vault', ...first, inFresh: true };
  }
  for (const candidate of candidates) if (candidate.key !== match?.key) candidate.key.fill(0);
  if (duress) {
    // The probe a normal unlock makes, with the same cost (its answer does not matter).
    if (candidates.length === 0 && existsSync(files.db)) verifyKey(files.db, duress.key, track);
    duress.key.fill(0);
    if (!match) return { match: { kind: 'duress', kek: duress.kek, slot: duress.slot }, cost };
  }
  return { match, cost };
}

function tracked(key: Buffer, track: KeyBufferTracker): Buffer {
  track(key);
  return key;
}

/** The key-encryption key of `passphrase` under a slot's salt and parameters (one Argon2id run). */
export async function passphraseKek(
  passphrase: Buffer,
  slot: KdfParams & { readonly salt: string },
  track: KeyBufferTracker,
): Promise<Buffer> {
  const derived = await deriveKey(passphrase, Buffer.from(slot.salt, 'base64'), slot);
  try {
    return tracked(wrappingKey(derived), track);
  } finally {
    derived.fill(0);
  }
}

/** True when `passphrase` is the one `slot` holds `key` under (constant-time compare; one Argon2id run). */
export async function slotOpensWith(
  slot: Argon2Slot,
  passphrase: Buffer,
  key: Buffer,
  track: KeyBufferTracker,
): Promise<boolean> {
  let candidate: Buffer | undefined;
  if (slot.wrapped === undefined) {
    candidate = tracked(await deriveKey(passphrase, Buffer.from(slot.salt, 'base64'), slot), track);
  } else {
    candidate = unwrapKey(await passphraseKek(passphrase, slot, track), slot.wrapped, 'key');
  }
  if (!candidate) return false;
  const matches = candidate.length === key.length && timingSafeEqual(candidate, key);
  candidate.fill(0);
  return matches;
}
