import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  UnlockThrottledError,
  PreconditionError,
  ValidationError,
  VaultAlreadyExistsError,
  VaultCorruptError,
  VaultLockedError,
  VaultNotInitializedError,
  WrongPassphraseError,
} from '../errors.js';
import { setLogSink } from '../log.js';
import { Database } from './driver.js';
import { argon2Slot, makeHeader, readHeader, writeHeader, type VaultHeader } from './header.js';
import { randomWrap } from './key-wrap.js';
import { DEFAULT_KDF_PARAMS } from './kdf.js';
import { latestVersion, schemaVersion } from './migrate.js';
import { hashTree, listFiles, scanTree } from '../test-support/files.js';
import { createTestProfile, TEST_KDF } from '../test-support/vault.js';
import { throttleDelayMs } from './throttle.js';
import { VAULT_FILES, Vault } from './vault.js';
import type { LockReason } from './vault.js';

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

function vaultAt(dir: string, clock?: () => number): Vault {
  const vault = new Vault(dir, { kdf: TEST_KDF, ...(clock ? { clock } : {}) });
  disposers.unshift(() => vault.lock('shutdown'));
  return vault;
}

function seed(vault: Vault, rows: readonly string[]): void {
  vault.db.exec('CREATE TABLE IF NOT EXISTS test_notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = vault.db.prepare('INSERT INTO test_notes (body) VALUES (?)');
  vault.db.transaction(() => rows.forEach((r) => insert.run(r)))();
}

/** A header without its duress slot (random in every header made here). */
function slotsOf(header: VaultHeader | undefined): Omit<VaultHeader, 'duress'> | undefined {
  if (!header) return undefined;
  const { duress: _duress, ...slots } = header;
  return slots;
}

function notes(vault: Vault): string[] {
  return (vault.db.prepare('SELECT body FROM test_notes ORDER BY id').all() as { body: string }[]).map(
    (r) => r.body,
  );
}

describe('Vault lifecycle', () => {
  it('creates an unlocked vault, migrates it to the latest schema, and refuses a second create', async () => {
    const dir = profile();
    const vault = vaultAt(dir);
    expect(vault.state).toBe('uninitialized');
    await expect(vault.unlock(pass('x'))).rejects.toBeInstanceOf(VaultNotInitializedError);
    await vault.create(pass('correct horse battery staple'));
    expect(vault.state).toBe('unlocked');
    expect(schemaVersion(vault.db)).toBe(latestVersion());
    expect(vault.insecureNoPassphrase).toBe(false);
    await expect(vault.create(pass('again'))).rejects.toBeInstanceOf(VaultAlreadyExistsError);
    await expect(vault.create(pass(''))).rejects.toBeInstanceOf(VaultAlreadyExistsError);
    const header = readHeader(join(dir, VAULT_FILES.header));
    expect(header?.current).toMatchObject({ kind: 'argon2id', memoryKiB: TEST_KDF.memoryKiB });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of [
      VAULT_FILES.db,
      `${VAULT_FILES.db}-wal`,
      `${VAULT_FILES.db}-shm`,
      VAULT_FILES.header,
    ]) {
      expect(statSync(join(dir, file)).mode & 0o077, file).toBe(0);
    }
    expect(vault.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(vault.db.pragma('secure_delete', { simple: true })).toBe(1);
    expect(vault.db.pragma('temp_store', { simple: true })).toBe(2);
    expect(vault.db.pragma('cipher', { simple: true })).toBe('sqlcipher');
    vault.lock();
    expect(vault.state).toBe('locked');
    expect(new Vault(dir).state).toBe('locked');
  });

  it('rejects an empty passphrase with a typed error and creates nothing', async () => {
    const dir = profile();
    const vault = vaultAt(dir);
    await expect(vault.create(Buffer.alloc(0))).rejects.toBeInstanceOf(ValidationError);
    expect(vault.state).toBe('uninitialized');
    expect(existsSync(join(dir, VAULT_FILES.db))).toBe(false);
  });

  it('keeps data across lock/unlock and across a new Vault instance', async () => {
    const dir = profile();
    const vault = vaultAt(dir);
    await vault.create(pass('pw-1'));
    seed(vault, ['a', 'b', 'c']);
    vault.lock();
    const again = vaultAt(dir);
    await again.unlock(pass('pw-1'));
    expect(notes(again)).toEqual(['a', 'b', 'c']);
  });

  it('leaves no marker string in any file of the profile, and the DB cannot be read without the key', async () => {
    const dir = profile();
    const vault = vaultAt(dir);
    await vault.create(pass('marker test passphrase'));
    const markers = [
      'MARKER-message-body-7f3a9c: meet at the north gate at 21:00',
      'MARKER-contact-name-Zoë Quixotic-Basilisk',
      'MARKER-meta-value-0d1e2f',
    ];
    const attachment = Buffer.concat([Buffer.from('MARKER-attachment-bytes-'), randomBytes(48)]);
    seed(vault, markers.slice(0, 2));
    vault.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('test_marker', markers[2]);
    const fileId = vault.files.write(attachment);
    const needles = [
      ...markers.map((m) => Buffer.from(m, 'utf8')),
      ...markers.map((m) => Buffer.from(m, 'utf16le')),
      ...markers.map((m) => Buffer.from(m.slice(0, 20), 'utf8')),
      attachment,
      attachment.subarray(24),
      Buffer.from('correct horse'),
      Buffer.from('marker test passphrase'),
    ];
    // While unlocked (WAL and SHM present) and after locking.
    const openFiles = listFiles(dir).map((f) => f.slice(dir.length + 1));
    expect(openFiles).toEqual(
      expect.arrayContaining([VAULT_FILES.db, `${VAULT_FILES.db}-wal`, VAULT_FILES.header]),
    );
    expect(openFiles).toContain(`${VAULT_FILES.filesDir}/${fileId}`);
    expect(scanTree(dir, needles)).toEqual([]);
    vault.lock();
    expect(scanTree(dir, needles)).toEqual([]);

    // Without the key: not a database.
    const plain = new Database(join(dir, VAULT_FILES.db), { readonly: true, fileMustExist: true });
    expect(() => plain.prepare('SELECT * FROM sqlite_master').all()).toThrow(/not a database/);
    plain.close();
    // The first 16 bytes are the SQLCipher salt, not the "SQLite format 3" magic.
    expect(readFileSync(join(dir, VAULT_FILES.db)).subarray(0, 15).toString('latin1')).not.toBe(
      'SQLite format 3',
    );

    // And with the key everything is there.
    const reopened = vaultAt(dir);
    await reopened.unlock(pass('marker test passphrase'));
    expect(notes(reopened)).toEqual(markers.slice(0, 2));
    expect(reopened.files.read(fileId).equals(attachment)).toBe(true);
  });

  it('wrong passphrase: WrongPassphraseError and every vault file byte-identical', async () => {
    const dir = profile();
    const vault = vaultAt(dir);
    await vault.create(pass('right one'));
    seed(vault, ['keep me']);
    vault.files.write(Buffer.from('attachment'));
    vault.lock();

    const before = hashTree(dir);
    const other = vaultAt(dir);
    await expect(other.unlock(pass('wrong one'))).rejects.toBeInstanceOf(WrongPassphraseError);
    expect(other.state).toBe('locked');
    const after = hashTree(dir);
    // The only change allowed is the throttle counter (it must persist across restarts).
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
      (k) => before.get(k) !== after.get(k),
    );
    expect(changed).toEqual([VAULT_FILES.throttle]);
    for (const [file, hash] of before) if (file !== VAULT_FILES.throttle) expect(after.get(file)).toBe(hash);

    await other.unlock(pass('right one'));
    expect(notes(other)).toEqual(['keep me']);
  });

  it('throttles repeated wrong passphrases with a growing delay that survives a restart', async () => {
    const dir = profile();
    let now = 1_000_000;
    const clock = (): number => now;
    const vault = vaultAt(dir, clock);
    await vault.create(pass('right'));
    vault.lock();

    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      // A fresh instance each time: a restart must not reset the count.
      const attempt = vaultAt(dir, clock);
      const error = await attempt.unlock(pass(`wrong-${i}`)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WrongPassphraseError);
      const retry = (error as WrongPassphraseError).retryAfterMs;
      delays.push(retry);
      if (retry > 0) {
        // Too early, even with the right passphrase and in a new instance: refused without trying.
        const early = await vaultAt(dir, clock)
          .unlock(pass('right'))
          .catch((e: unknown) => e);
        expect(early).toBeInstanceOf(UnlockThrottledError);
        expect((early as UnlockThrottledError).retryAfterMs).toBe(retry);
        now += retry;
      }
    }
    expect(delays).toEqual([1, 2, 3, 4, 5, 6].map(throttleDelayMs));
    expect(delays[5]!).toBeGreaterThan(delays[4]!);
    expect(delays[4]!).toBeGreaterThan(delays[3]!);
    expect(delays[3]!).toBeGreaterThan(0);

    // A clock set backwards does not shorten the wait.
    now += 0;
    const backwards = vaultAt(dir, () => now - 3_600_000);
    await expect(backwards.unlock(pass('right'))).rejects.toBeInstanceOf(UnlockThrottledError);

    // Success resets the counter.
    now += delays[5]!;
    const ok = vaultAt(dir, clock);
    await ok.unlock(pass('right'));
    ok.lock();
    const error = await vaultAt(dir, clock)
      .unlock(pass('wrong again'))
      .catch((e: unknown) => e);
    expect((error as WrongPassphraseError).retryAfterMs).toBe(0);

    // A damaged throttle file counts as several failures from when it was written, not forever.
    writeFileSync(join(dir, VAULT_FILES.throttle), '{garbage');
    now = Date.now();
    const damaged = await vaultAt(dir, clock)
      .unlock(pass('right'))
      .catch((e: unknown) => e);
    expect(damaged).toBeInstanceOf(UnlockThrottledError);
    now += throttleDelayMs(7) + 1_000;
    await vaultAt(dir, clock).unlock(pass('right'));
  });

  it('changes the passphrase: the new one opens the vault, the old one no longer does', async () => {
    const dir = profile();
    const vault = vaultAt(dir);
    await vault.create(pass('old passphrase'));
    seed(vault, ['survives rekey']);
    const fileId = vault.files.write(Buffer.from('file survives rekey'));
    const saltBefore = readHeader(join(dir, VAULT_FILES.header))?.current;

    await expect(vault.changePassphrase(pass('not the old one'), pass('new'))).rejects.toBeInstanceOf(
      WrongPassphraseError,
    );
    await expect(vault.changePassphrase(pass('old passphrase'), Buffer.alloc(0))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await vault.changePassphrase(pass('old passphrase'), pass('new passphrase'));
    expect(notes(vault)).toEqual(['survives rekey']);
    const header = readHeader(join(dir, VAULT_FILES.header));
    expect(header?.pending).toBeUndefined();
    expect(header?.current).not.toEqual(saltBefore);
    vault.lock();

    await expect(vaultAt(dir).unlock(pass('old passphrase'))).rejects.toBeInstanceOf(WrongPassphraseError);
    const reopened = vaultAt(dir);
    await reopened.unlock(pass('new passphrase'));
    expect(notes(reopened)).toEqual(['survives rekey']);
    expect(reopened.files.read(fileId).toString()).toBe('file survives rekey');
  });

  it('recovers from an interrupted rekey in both states (pending slot written, DB old or new)', async () => {
    const dir = profile();
    const headerPath = join(dir, VAULT_FILES.header);
    const vault = vaultAt(dir);
    await vault.create(pass('before'));
    seed(vault, ['row']);
    const oldSlot = readHeader(headerPath)!.current;
    await vault.changePassphrase(pass('before'), pass('after'));
    const newSlot = readHeader(headerPath)!.current;
    vault.lock();

    // State 1: crash after the pending slot was written but before the rekey committed → DB is under
    // the key of `current`. Simulated here by naming the DB's real slot current and a fresh one pending.
    writeHeader(
      headerPath,
      makeHeader(newSlot, { pending: argon2Slot(TEST_KDF, randomBytes(16), randomWrap()) }),
    );
    const one = vaultAt(dir);
    await one.unlock(pass('after'));
    expect(slotsOf(readHeader(headerPath))).toEqual(slotsOf(makeHeader(newSlot)));
    expect(notes(one)).toEqual(['row']);
    one.lock();

    // State 2: crash after the rekey committed but before the header did → DB is under `pending`.
    writeHeader(headerPath, makeHeader(oldSlot, { pending: newSlot }));
    await expect(vaultAt(dir).unlock(pass('before'))).rejects.toBeInstanceOf(WrongPassphraseError);
    expect(readHeader(headerPath)?.pending).toEqual(newSlot);
    const two = vaultAt(dir);
    await two.unlock(pass('after'));
    expect(slotsOf(readHeader(headerPath))).toEqual(slotsOf(makeHeader(newSlot)));
    expect(notes(two)).toEqual(['row']);
  });

  it('locks: every data call fails with VaultLockedError, keys are zeroed, hooks and events ran', async () => {
    const dir = profile();
    const vault = vaultAt(dir);
    const events: string[] = [];
    vault.onUnlocked(() => events.push('unlocked'));
    const offLocked = vault.onLocked((reason: LockReason) => events.push(`locked:${reason}`));
    vault.addLockHook(() => {
      events.push('hook');
      // Hooks run after data access is cut.
      expect(() => vault.db).toThrow(VaultLockedError);
    });
    await vault.create(pass('lock test'));
    seed(vault, ['x']);
    const files = vault.files;
    const id = files.write(Buffer.from('y'));
    const db = vault.db;
    const statement = db.prepare('SELECT count(*) AS n FROM test_notes');

    const keys = vault.__keyBuffersForTest();
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(keys.some((k) => k.some((b) => b !== 0))).toBe(true);

    vault.lock('timer');
    expect(events).toEqual(['unlocked', 'hook', 'locked:timer']);
    expect(vault.state).toBe('locked');
    for (const key of keys) expect(key.every((b) => b === 0)).toBe(true);

    expect(() => vault.db).toThrow(VaultLockedError);
    expect(() => vault.files).toThrow(VaultLockedError);
    expect(() => files.read(id)).toThrow(VaultLockedError);
    expect(() => files.write(Buffer.from('z'))).toThrow(VaultLockedError);
    expect(() => files.has(id)).toThrow(VaultLockedError);
    expect(() => files.delete(id)).toThrow(VaultLockedError);
    expect(() => files.size(id)).toThrow(VaultLockedError);
    await expect(vault.changePassphrase(pass('lock test'), pass('n'))).rejects.toBeInstanceOf(
      VaultLockedError,
    );
    // A handle kept from before the lock is closed too.
    expect(db.open).toBe(false);
    expect(() => statement.get()).toThrow();

    vault.lock(); // idempotent, no second event
    expect(events).toEqual(['unlocked', 'hook', 'locked:timer']);
    offLocked();
    await vault.unlock(pass('lock test'));
    vault.lock('user');
    expect(events).toEqual(['unlocked', 'hook', 'locked:timer', 'unlocked', 'hook']);
    for (const key of vault.__keyBuffersForTest()) expect(key.every((b) => b === 0)).toBe(true);
  });

  it('a lock requested while an unlock is still deriving its key wins', async () => {
    const dir = profile();
    const vault = vaultAt(dir);
    await vault.create(pass('race'));
    vault.lock();
    const pending = vault.unlock(pass('race'));
    vault.lock('suspend');
    await expect(pending).rejects.toBeInstanceOf(VaultLockedError);
    expect(vault.state).toBe('locked');
    for (const key of vault.__keyBuffersForTest()) expect(key.every((b) => b === 0)).toBe(true);
    await vault.unlock(pass('race'));
    expect(vault.state).toBe('unlocked');
  });

  it('no-passphrase mode: key file 0600, reported insecure, and it can be upgraded to a passphrase', async () => {
    const dir = profile();
    const vault = vaultAt(dir);
    await vault.createWithoutPassphrase();
    const keyFile = join(dir, VAULT_FILES.keyFile);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(keyFile).size).toBe(32);
    expect(vault.insecureNoPassphrase).toBe(true);
    expect(
      vault.db.prepare("SELECT value FROM meta WHERE key = 'insecure_no_passphrase'").pluck().get(),
    ).toBe('1');
    seed(vault, ['no pass']);
    vault.lock();
    expect(new Vault(dir).insecureNoPassphrase).toBe(true);

    const again = vaultAt(dir);
    await again.unlock();
    expect(notes(again)).toEqual(['no pass']);
    await again.changePassphrase(Buffer.alloc(0), pass('now protected'));
    expect(again.insecureNoPassphrase).toBe(false);
    expect(existsSync(keyFile)).toBe(false);
    expect(
      again.db.prepare("SELECT value FROM meta WHERE key = 'insecure_no_passphrase'").pluck().get(),
    ).toBe('0');
    again.lock();
    await expect(vaultAt(dir).unlock()).rejects.toBeInstanceOf(PreconditionError);
    const third = vaultAt(dir);
    await third.unlock(pass('now protected'));
    expect(notes(third)).toEqual(['no pass']);
  });

  it('raises stored KDF parameters on unlock (re-derive + rekey)', async () => {
    const dir = profile();
    const weak = vaultAt(dir);
    await weak.create(pass('upgrade me'));
    seed(weak, ['data']);
    weak.lock();
    const stronger = { memoryKiB: 16 * 1024, timeCost: 2, parallelism: 1 };
    const vault = new Vault(dir, { kdf: stronger });
    disposers.unshift(() => vault.lock());
    await vault.unlock(pass('upgrade me'));
    const header = readHeader(join(dir, VAULT_FILES.header));
    expect(header?.current).toMatchObject({ kind: 'argon2id', ...stronger });
    vault.lock();
    const after = new Vault(dir, { kdf: stronger });
    disposers.unshift(() => after.lock());
    await after.unlock(pass('upgrade me'));
    expect(notes(after)).toEqual(['data']);
  });

  it('works with the default KDF parameters (64 MiB, t=3, p=4)', async () => {
    const dir = profile();
    // Named explicitly: without `kdf` a vault calibrates to the machine (calibrate.test.ts).
    const vault = new Vault(dir, { kdf: DEFAULT_KDF_PARAMS });
    disposers.unshift(() => vault.lock());
    await vault.create(pass('defaults'));
    vault.lock();
    expect(readHeader(join(dir, VAULT_FILES.header))?.current).toMatchObject({
      kind: 'argon2id',
      ...DEFAULT_KDF_PARAMS,
    });
    await vault.unlock(pass('defaults'));
    expect(vault.state).toBe('unlocked');
    expect(DEFAULT_KDF_PARAMS.memoryKiB).toBeGreaterThanOrEqual(64 * 1024);
  });

  it('never logs a passphrase or key material', async () => {
    const lines: string[] = [];
    setLogSink((level, event, fields) => lines.push(JSON.stringify({ level, event, ...fields })), 'debug');
    try {
      const dir = profile();
      const vault = vaultAt(dir);
      await vault.create(pass('log-secret-one'));
      await vault.unlock(pass('log-secret-one')).catch(() => undefined);
      vault.lock();
      await vault.unlock(pass('log-secret-wrong')).catch(() => undefined);
      await vault.unlock(pass('log-secret-one'));
      await vault.changePassphrase(pass('log-secret-one'), pass('log-secret-two'));
      const keyHex = vault.__keyBuffersForTest().map((k) => k.toString('hex'));
      vault.lock();
      expect(lines.length).toBeGreaterThan(3);
      const all = lines.join('\n');
      expect(all).not.toMatch(/log-secret/);
      for (const hex of keyHex) expect(all).not.toContain(hex.slice(0, 16));
    } finally {
      setLogSink(undefined, 'warn');
    }
  });

  it('a damaged header or a missing DB is a typed error, not a crash', async () => {
    const dir = profile();
    const vault = vaultAt(dir);
    await vault.create(pass('h'));
    vault.lock();
    const headerPath = join(dir, VAULT_FILES.header);
    const good = readFileSync(headerPath);
    writeFileSync(headerPath, '{"format":"carapace-vault","version":1,"current":{"kind":"rot13"}}');
    await expect(vaultAt(dir).unlock(pass('h'))).rejects.toBeInstanceOf(VaultCorruptError);
    writeFileSync(headerPath, 'not json');
    await expect(vaultAt(dir).unlock(pass('h'))).rejects.toBeInstanceOf(VaultCorruptError);
    writeFileSync(headerPath, good);
    const dbBytes = readFileSync(join(dir, VAULT_FILES.db));
    unlinkSync(join(dir, VAULT_FILES.db));
    await expect(vaultAt(dir).unlock(pass('h'))).rejects.toBeInstanceOf(VaultCorruptError);
    writeFileSync(join(dir, VAULT_FILES.db), dbBytes);
    await vaultAt(dir).unlock(pass('h'));
  });
});
