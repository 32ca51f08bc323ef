/**
 * Issue 18: the duress passphrase and the panic wipe, on real SQLCipher files. The header always has a
 * duress slot (an examiner cannot tell whether one is set); entering the duress passphrase crypto-erases the
 * vault and opens a fresh, empty one under it; the panic wipe erases without a new profile.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  PreconditionError,
  ValidationError,
  VaultNotInitializedError,
  WrongPassphraseError,
} from '../errors.js';
import { createDatabase } from './keyed-database.js';
import { commitErase, buildSpare, FRESH_DB, stageFresh } from './erase.js';
import { argon2Slot, makeHeader, readHeader, type Argon2Slot } from './header.js';
import { wrapKey } from './key-wrap.js';
import { passphraseKek } from './unlock-key.js';
import { deriveKey } from './kdf.js';
import { listFiles, scanTree } from '../test-support/files.js';
import { createTestProfile, TEST_KDF } from '../test-support/vault.js';
import { decryptedCopy, vaultKeyFromHeader } from './test-support/decrypted-copy.js';
import { VAULT_FILES, Vault } from './vault.js';

const REAL = 'the real passphrase, long enough';
const DURESS = 'a duress passphrase to hand over';
const pass = (s: string): Buffer => Buffer.from(s, 'utf8');
const disposers: (() => void)[] = [];
afterEach(() => {
  while (disposers.length) disposers.pop()?.();
});

function profile(): string {
  const p = createTestProfile();
  disposers.push(() => p.dispose());
  return p.dir;
}

function vaultAt(dir: string): Vault {
  const vault = new Vault(dir, { kdf: TEST_KDF });
  disposers.unshift(() => vault.lock('shutdown'));
  return vault;
}

/** The shape of a JSON value: keys, types, and the length of every string (numbers as their digits). */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
  }
  return `${typeof value}:${String(value).length}`;
}

const MARKERS = ['MARKER-duress-body-3b9e1f: the safe house is on Elm St', 'MARKER-duress-contact-Qx7'];

async function seededVault(dir: string): Promise<{ vault: Vault; fileId: string; oldKey: Buffer }> {
  const vault = vaultAt(dir);
  await vault.create(pass(REAL));
  vault.db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  for (const marker of MARKERS) vault.db.prepare('INSERT INTO notes (body) VALUES (?)').run(marker);
  const fileId = vault.files.write(Buffer.from(`${MARKERS[0]} (attachment)`));
  const oldKey = await vaultKeyFromHeader(readHeader(join(dir, VAULT_FILES.header))!, REAL);
  return { vault, fileId, oldKey: oldKey! };
}

const needles = MARKERS.flatMap((m) => [Buffer.from(m, 'utf8'), Buffer.from(m.slice(0, 24), 'utf8')]);

describe('duress passphrase', () => {
  it('headers with and without a duress slot set are indistinguishable by size and structure', async () => {
    const plainDir = profile();
    const duressDir = profile();
    const plain = vaultAt(plainDir);
    await plain.create(pass(REAL));
    const withDuress = vaultAt(duressDir);
    await withDuress.create(pass(REAL));
    const before = readFileSync(join(duressDir, VAULT_FILES.header), 'utf8');
    await withDuress.setDuressPassphrase(pass(REAL), pass(DURESS));
    expect(withDuress.duressPassphraseSet).toBe(true);
    expect(plain.duressPassphraseSet).toBe(false);

    const a = readFileSync(join(plainDir, VAULT_FILES.header), 'utf8');
    const b = readFileSync(join(duressDir, VAULT_FILES.header), 'utf8');
    expect(b).not.toBe(before); // the slot did change…
    expect(Buffer.byteLength(a)).toBe(Buffer.byteLength(b)); // …but not its size
    expect(shape(JSON.parse(a))).toEqual(shape(JSON.parse(b)));
    expect(Object.keys(JSON.parse(a) as object)).toEqual(['format', 'version', 'current', 'duress']);
    // Random bytes and a wrap: both 60 bytes that no statistic here tells apart.
    for (const text of [a, b]) {
      expect(Buffer.from((JSON.parse(text) as { duress: string }).duress, 'base64')).toHaveLength(60);
    }
  });

  it('setting it needs the current passphrase and a different one; clearing and a passphrase change keep it right', async () => {
    const dir = profile();
    const vault = vaultAt(dir);
    await vault.create(pass(REAL));
    await expect(vault.setDuressPassphrase(pass('not the real one'), pass(DURESS))).rejects.toBeInstanceOf(
      WrongPassphraseError,
    );
    await expect(vault.setDuressPassphrase(pass(REAL), pass(REAL))).rejects.toBeInstanceOf(ValidationError);
    await expect(vault.setDuressPassphrase(pass(REAL), Buffer.alloc(0))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await vault.setDuressPassphrase(pass(REAL), pass(DURESS));
    // A new passphrase equal to the duress one would make both slots open: refused.
    await expect(vault.changePassphrase(pass(REAL), pass(DURESS))).rejects.toBeInstanceOf(ValidationError);
    await vault.changePassphrase(pass(REAL), pass('the new real passphrase'));
    expect(vault.duressPassphraseSet).toBe(true);
    vault.lock();
    // Still armed after the change: the duress passphrase erases.
    const after = vaultAt(dir);
    await after.unlock(pass(DURESS));
    expect(after.duressPassphraseSet).toBe(false);
    after.lock();
    await expect(vaultAt(dir).unlock(pass('the new real passphrase'))).rejects.toBeInstanceOf(
      WrongPassphraseError,
    );

    const cleared = profile();
    const other = vaultAt(cleared);
    await other.create(pass(REAL));
    await other.setDuressPassphrase(pass(REAL), pass(DURESS));
    await other.clearDuressPassphrase(pass(REAL));
    expect(other.duressPassphraseSet).toBe(false);
    other.lock();
    await expect(vaultAt(cleared).unlock(pass(DURESS))).rejects.toBeInstanceOf(WrongPassphraseError);
    await vaultAt(cleared).unlock(pass(REAL));

    const keyless = vaultAt(profile());
    await keyless.createWithoutPassphrase();
    await expect(keyless.setDuressPassphrase(Buffer.alloc(0), pass(DURESS))).rejects.toBeInstanceOf(
      PreconditionError,
    );
  });

  it('a large deleted file still being shredded in the background neither blocks nor survives a duress erase', async () => {
    const dir = profile();
    const { vault } = await seededVault(dir);
    await vault.setDuressPassphrase(pass(REAL), pass(DURESS));
    const writer = vault.files.createWriter();
    for (let i = 0; i < 16; i++) writer.write(Buffer.alloc(1024 * 1024, i));
    const big = writer.commit();
    vault.files.delete(big); // queued for the background shredder…
    vault.lock(); // …which is still at work when the duress passphrase is typed
    await vault.unlock(pass(DURESS));
    expect(vault.state).toBe('unlocked');
    await vault.deletedFilesShredded();
    expect(readdirSync(join(dir, VAULT_FILES.filesDir))).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve)); // the old vault's files go right after the unlock
    expect(readdirSync(dir).filter((name) => name.startsWith('.vault.erased'))).toEqual([]);
    // The shredder goes on working for the fresh profile.
    const next = vault.files.write(Buffer.from('after the erase'));
    vault.files.delete(next);
    await vault.deletedFilesShredded();
    expect(existsSync(join(dir, VAULT_FILES.filesDir, next))).toBe(false);
  });

  it('duress unlock erases the vault (no decrypted copy, no real-passphrase unlock) and opens a working empty profile', async () => {
    const dir = profile();
    const { vault, fileId, oldKey } = await seededVault(dir);
    await vault.setDuressPassphrase(pass(REAL), pass(DURESS));
    vault.lock();
    const dbPath = join(dir, VAULT_FILES.db);
    expect(decryptedCopy(dbPath, oldKey)?.includes(needles[0]!)).toBe(true); // the scan finds them before

    const coerced = vaultAt(dir);
    let unlocked = 0;
    coerced.onUnlocked(() => unlocked++);
    await coerced.unlock(pass(DURESS));
    expect(coerced.state).toBe('unlocked');
    expect(unlocked).toBe(1);
    // A fresh, empty, migrated profile: none of the old tables, rows or files.
    expect(coerced.db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'notes'").pluck().get()).toBe(
      0,
    );
    expect(readdirSync(join(dir, VAULT_FILES.filesDir))).toEqual([]);
    expect(() => coerced.files.read(fileId)).toThrow();
    coerced.db.prepare("INSERT INTO meta (key, value) VALUES ('after_duress', 'works')").run();
    const newKey = await vaultKeyFromHeader(readHeader(join(dir, VAULT_FILES.header))!, DURESS);
    coerced.lock();

    // What an examiner finds on disk now: no marker in any file, raw or decrypted with either key.
    expect(scanTree(dir, needles)).toEqual([]);
    expect(decryptedCopy(dbPath, oldKey)).toBeUndefined();
    const fresh = decryptedCopy(dbPath, newKey!);
    expect(fresh).toBeDefined();
    for (const needle of needles) expect(fresh!.includes(needle)).toBe(false);
    // The real passphrase opens nothing; the profile looks like any other: same files, a duress slot.
    await expect(vaultAt(dir).unlock(pass(REAL))).rejects.toBeInstanceOf(WrongPassphraseError);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, VAULT_FILES.header), 'utf8')) as object)).toEqual([
      'format',
      'version',
      'current',
      'duress',
    ]);
    expect(readdirSync(dir).sort()).toEqual(
      [VAULT_FILES.db, VAULT_FILES.filesDir, VAULT_FILES.header, 'vault.lock', VAULT_FILES.throttle].sort(),
    );
    // The new profile keeps working under the duress passphrase, as a normal one.
    const again = vaultAt(dir);
    await again.unlock(pass(DURESS));
    expect(again.db.prepare("SELECT value FROM meta WHERE key = 'after_duress'").pluck().get()).toBe('works');
    expect(again.files.read(again.files.write(Buffer.from('new file'))).toString()).toBe('new file');
  });

  it('an erase interrupted after its commit point finishes on the next duress unlock; the real passphrase never opens it', async () => {
    const dir = profile();
    const { vault, oldKey } = await seededVault(dir);
    await vault.setDuressPassphrase(pass(REAL), pass(DURESS));
    vault.lock();
    // The commit point without the rest — what a kill right after the header rename leaves: the spare staged
    // as vault.fresh.db, the header naming its key under the duress passphrase, the old vault still there.
    const headerPath = join(dir, VAULT_FILES.header);
    const before = readHeader(headerPath)!;
    const slot = before.current as Argon2Slot;
    const spare = buildSpare(dir, Date.now(), () => undefined);
    const kek = await passphraseKek(pass(DURESS), slot, () => undefined);
    const paths = {
      db: join(dir, VAULT_FILES.db),
      fresh: join(dir, FRESH_DB),
      keyFile: join(dir, VAULT_FILES.keyFile),
      throttle: join(dir, VAULT_FILES.throttle),
      filesDir: join(dir, VAULT_FILES.filesDir),
      panicOptIn: join(dir, VAULT_FILES.panicOptIn),
    };
    stageFresh(spare, paths);
    commitErase(headerPath, makeHeader(argon2Slot(slot, slot.salt, wrapKey(kek, spare.key, 'key'))))();
    expect(decryptedCopy(paths.db, oldKey)?.includes(needles[0]!)).toBe(true); // not destroyed yet…
    await expect(vaultAt(dir).unlock(pass(REAL))).rejects.toBeInstanceOf(WrongPassphraseError); // …but dead
    const resumed = vaultAt(dir);
    await resumed.unlock(pass(DURESS));
    expect(existsSync(paths.fresh)).toBe(false);
    expect(resumed.db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'notes'").pluck().get()).toBe(
      0,
    );
    expect(readdirSync(paths.filesDir)).toEqual([]);
    expect(decryptedCopy(join(dir, VAULT_FILES.db), oldKey)).toBeUndefined();
  });

  it('a version-1 header (no wrapped key, no duress slot) is migrated on unlock, data intact', async () => {
    const dir = profile();
    const salt = randomBytes(16);
    const key = await deriveKey(pass(REAL), salt, TEST_KDF);
    const v1 = {
      format: 'carapace-vault',
      version: 1,
      current: { kind: 'argon2id', salt: salt.toString('base64'), ...TEST_KDF },
    };
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const headerPath = join(dir, VAULT_FILES.header);
    const db = createDatabase(
      { db: join(dir, VAULT_FILES.db), header: `${headerPath}.unused` },
      key,
      {
        format: 'carapace-vault',
        version: 1,
        current: v1.current as never,
      },
      Date.now(),
      () => undefined,
    );
    db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('from v1')");
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    writeFileSync(headerPath, JSON.stringify(v1));

    const vault = vaultAt(dir);
    await vault.unlock(pass(REAL));
    expect(vault.db.prepare('SELECT body FROM notes').pluck().get()).toBe('from v1');
    const header = readHeader(headerPath)!;
    expect(header.version).toBe(2);
    expect(header.current.kind === 'argon2id' && typeof header.current.wrapped).toBe('string');
    expect(header.duress).toBeDefined();
    vault.lock();
    expect(decryptedCopy(join(dir, VAULT_FILES.db), key)).toBeUndefined(); // rekeyed to a random key
    const again = vaultAt(dir);
    await again.unlock(pass(REAL));
    expect(again.db.prepare('SELECT body FROM notes').pluck().get()).toBe('from v1');
  });
});

describe('panic wipe', () => {
  it('erases an unlocked or a locked vault: nothing opens, no marker remains, and a new vault can be made', async () => {
    for (const state of ['unlocked', 'locked'] as const) {
      const dir = profile();
      const { vault, oldKey } = await seededVault(dir);
      let lockedEvents = 0;
      vault.onLocked(() => lockedEvents++);
      if (state === 'locked') vault.lock();
      await vault.erase();
      expect(lockedEvents).toBe(1);
      expect(vault.state).toBe('uninitialized');
      // Only the profile lock file is left.
      expect(listFiles(dir).map((f) => f.slice(dir.length + 1))).toEqual(['vault.lock']);
      expect(existsSync(join(dir, VAULT_FILES.filesDir))).toBe(false);
      expect(statSync(dir).isDirectory()).toBe(true);
      expect(decryptedCopy(join(dir, VAULT_FILES.db), oldKey)).toBeUndefined();
      await expect(vaultAt(dir).unlock(pass(REAL))).rejects.toBeInstanceOf(VaultNotInitializedError);
      await vault.create(pass('a brand new one'));
      expect(vault.db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'notes'").pluck().get()).toBe(
        0,
      );
    }
  });
});
