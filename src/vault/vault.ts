/**
 * The encrypted vault: one SQLCipher database per profile, keyed by Argon2id(passphrase), plus an
 * encrypted file store. README's "The vault" and "Threat model" say what is and is not protected.
 *
 * This class is the lifecycle (create, unlock, change passphrase, lock, listeners); the parts live next to
 * it: unlock-key.ts (which key slot opens the DB), keyed-database.ts (probe/open/create under a raw key),
 * key-file.ts (the no-passphrase mode), rekey.ts (the crash-safe rekey) and profile-lock.ts (one process
 * per profile: create and unlock hold the profile first; `lock('shutdown')` lets go of it).
 *
 * Profile layout (all 0600 in a 0700 directory):
 *   vault.db (+ -wal, -shm while open)  SQLCipher 4 database, raw 256-bit key
 *   vault.header.json                    non-secret: KDF parameters + salt (current, and pending during a rekey)
 *   vault.throttle.json                  non-secret: consecutive wrong passphrases and when
 *   vault.key                            only in the insecure no-passphrase mode: the raw key
 *   vault.lock                           empty; the process that has the profile open holds an OS lock on it
 *   files/<id>                           AES-256-GCM ciphertexts, keys in the DB
 */
import { timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  PreconditionError,
  UnlockThrottledError,
  ValidationError,
  VaultAlreadyExistsError,
  VaultLockedError,
  VaultCorruptError,
  VaultNotInitializedError,
  WrongPassphraseError,
} from '../errors.js';
import { SerialQueue } from '../async/serial-queue.js';
import { errorFields, log } from '../log.js';
import { EncryptedFileStore } from './file-store.js';
import type { KeySlot, VaultHeader } from './header.js';
import { argon2Slot, makeHeader, readHeader, writeHeader } from './header.js';
import type { KdfParams } from './kdf.js';
import { deriveKey, isWeaker, newSalt, resolveKdfParams, storedKdfFloor } from './kdf.js';
import { createKeyFile, leaveKeyFileMode, shredStaleKeyFile } from './key-file.js';
import { createDatabase, openReadWrite } from './keyed-database.js';
import { runMigrations } from './migrate.js';
import { ProfileLock } from './profile-lock.js';
import { commitRekey, rekeyPages } from './rekey.js';
import type { SqlDatabase } from './sql.js';
import { UnlockThrottle } from './throttle.js';
import { findUnlockingKey, unlockSlots } from './unlock-key.js';

export type VaultState = 'uninitialized' | 'locked' | 'unlocked';
/** Why the vault locks; only 'shutdown' also lets go of the profile (a locked app still owns it). */
export type LockReason = 'user' | 'timer' | 'suspend' | 'shutdown';

export interface VaultOptions {
  /**
   * Argon2id parameters for new keys (defaults: 64 MiB, t=3, p=4). Tests pass low values for speed; a vault
   * configured below KDF_FLOOR also reads headers below it (storedKdfFloor), the app's never does.
   */
  kdf?: Partial<KdfParams>;
  /** Milliseconds since the epoch; injectable for throttling tests. */
  clock?: () => number;
}

export const VAULT_FILES = Object.freeze({
  db: 'vault.db',
  header: 'vault.header.json',
  throttle: 'vault.throttle.json',
  keyFile: 'vault.key',
  filesDir: 'files',
});

export class Vault {
  readonly profileDir: string;
  private readonly kdf: KdfParams;
  /** The weakest stored parameters unlock accepts (see storedKdfFloor). */
  private readonly storedKdfFloor: KdfParams;
  private readonly clock: () => number;
  private readonly throttle: UnlockThrottle;
  private readonly dbPath: string;
  private readonly headerPath: string;
  private readonly keyFilePath: string;

  private connection: SqlDatabase | undefined;
  private key: Buffer | undefined;
  private header: VaultHeader | undefined;
  private fileStore: EncryptedFileStore | undefined;
  /** This process's hold on the profile, from the first create/unlock until a shutdown. */
  private profileLock: ProfileLock | undefined;
  /** Every key-material Buffer of the current (or last) session, for the zeroing test hook. */
  private keyBuffers: Buffer[] = [];
  private readonly queue = new SerialQueue();
  private lockRequests = 0;
  private readonly lockedListeners = new Set<(reason: LockReason) => void>();
  private readonly unlockedListeners = new Set<() => void>();
  private readonly lockHooks = new Set<() => void>();

  constructor(profileDir: string, options: VaultOptions = {}) {
    this.profileDir = profileDir;
    this.kdf = resolveKdfParams(options.kdf);
    this.storedKdfFloor = storedKdfFloor(this.kdf);
    this.clock = options.clock ?? Date.now;
    this.dbPath = join(profileDir, VAULT_FILES.db);
    this.headerPath = join(profileDir, VAULT_FILES.header);
    this.keyFilePath = join(profileDir, VAULT_FILES.keyFile);
    this.throttle = new UnlockThrottle(join(profileDir, VAULT_FILES.throttle), this.clock);
  }

  get state(): VaultState {
    if (this.connection) return 'unlocked';
    return existsSync(this.headerPath) ? 'locked' : 'uninitialized';
  }

  /** True in the explicit no-passphrase mode (the key sits in a 0600 file next to the DB). */
  get insecureNoPassphrase(): boolean {
    const header = this.header ?? readHeader(this.headerPath);
    return header?.current.kind === 'keyfile';
  }

  get db(): SqlDatabase {
    if (!this.connection) throw new VaultLockedError();
    return this.connection;
  }

  get files(): EncryptedFileStore {
    if (!this.fileStore || !this.connection) throw new VaultLockedError();
    return this.fileStore;
  }

  onLocked(listener: (reason: LockReason) => void): () => void {
    this.lockedListeners.add(listener);
    return () => this.lockedListeners.delete(listener);
  }

  onUnlocked(listener: () => void): () => void {
    this.unlockedListeners.add(listener);
    return () => this.unlockedListeners.delete(listener);
  }

  /** Runs on every lock, after data access is cut and before `locked` is emitted: drop caches here. */
  addLockHook(hook: () => void): () => void {
    this.lockHooks.add(hook);
    return () => this.lockHooks.delete(hook);
  }

  /** First run with a passphrase. Leaves the vault unlocked. The passphrase Buffer is only read. */
  create(passphrase: Buffer): Promise<void> {
    return this.serialize(async () => {
      this.holdProfile();
      if (this.state !== 'uninitialized') throw new VaultAlreadyExistsError();
      requirePassphrase(passphrase);
      this.keyBuffers = [];
      const salt = newSalt();
      const key = this.track(await deriveKey(passphrase, salt, this.kdf));
      this.initialize(key, argon2Slot(this.kdf, salt));
    });
  }

  /** Explicit, insecure opt-in: a random key kept in a 0600 file. Anyone who can read the profile can read the vault. */
  createWithoutPassphrase(): Promise<void> {
    return this.serialize(async () => {
      this.holdProfile();
      if (this.state !== 'uninitialized') throw new VaultAlreadyExistsError();
      this.keyBuffers = [];
      const key = createKeyFile(this.profileDir, this.keyFilePath, this.tracker);
      this.initialize(key, { kind: 'keyfile' });
      await Promise.resolve();
    });
  }

  /**
   * Opens the vault. Wrong passphrase → WrongPassphraseError (no vault file is modified; the throttle
   * file records the failure). Too many recent failures → UnlockThrottledError before any work is done.
   */
  unlock(passphrase?: Buffer): Promise<void> {
    // A lock requested while this unlock is still deriving its key (e.g. the machine suspends) wins.
    const epoch = this.lockRequests;
    return this.serialize(async () => {
      if (this.connection) return;
      // Before anything is read or a guess counted: another process with this profile open refuses us.
      this.holdProfile();
      // readHeader bounds what the header says; a damaged one is VaultCorruptError, never a counted guess.
      const header = readHeader(this.headerPath);
      if (!header) throw new VaultNotInitializedError();
      const slots = unlockSlots(header, this.storedKdfFloor);
      if (!existsSync(this.dbPath)) throw new VaultCorruptError('The vault database is missing.');
      const wait = this.throttle.retryAfterMs();
      if (wait > 0) throw new UnlockThrottledError(wait);
      if (passphrase === undefined && !slots.some((s) => s.kind === 'keyfile')) {
        throw new PreconditionError('This vault needs its passphrase.');
      }
      if (passphrase !== undefined && slots.some((s) => s.kind === 'argon2id')) requirePassphrase(passphrase);
      this.keyBuffers = [];

      const files = { db: this.dbPath, keyFile: this.keyFilePath };
      const found = await findUnlockingKey(slots, passphrase, files, this.tracker);
      if (!found) {
        const retryAfterMs = this.throttle.recordFailure();
        log.warn('vault.unlock.wrong_passphrase', { failures: this.throttle.failures, retryAfterMs });
        throw new WrongPassphraseError(retryAfterMs);
      }
      this.throttle.reset();
      if (this.lockRequests !== epoch) {
        found.key.fill(0);
        throw new VaultLockedError();
      }

      const db = openReadWrite(this.dbPath, found.key, this.tracker);
      let current = header;
      try {
        if (header.pending) {
          // A rekey was interrupted: whichever key opened the DB is now the only valid one.
          current = makeHeader(found.slot);
          writeHeader(this.headerPath, current);
          log.warn('vault.rekey.recovered', { completed: found.slot === header.pending });
        }
        runMigrations(db);
      } catch (error) {
        db.close();
        found.key.fill(0);
        throw error;
      }
      this.startSession(db, found.key, current);
      try {
        if (current.current.kind !== 'keyfile') shredStaleKeyFile(this.keyFilePath);
        if (this.lockRequests !== epoch) throw new VaultLockedError();
        if (current.current.kind === 'argon2id' && passphrase && isWeaker(current.current, this.kdf)) {
          // Stored parameters are older/weaker than today's: re-derive with a fresh salt and rekey.
          const salt = newSalt();
          const upgraded = this.track(await deriveKey(passphrase, salt, this.kdf));
          if (this.connection !== db || this.lockRequests !== epoch) throw new VaultLockedError();
          try {
            this.rekeyTo(argon2Slot(this.kdf, salt), upgraded);
            log.info('vault.kdf.upgraded', { memoryKiB: this.kdf.memoryKiB, timeCost: this.kdf.timeCost });
          } catch (error) {
            // Not worth locking the user out over (e.g. a full disk: a rekey rewrites the whole DB into
            // the WAL). The vault stays usable under its current key; the next unlock tries again.
            log.warn('vault.kdf.upgrade_failed', errorFields(error));
          }
        }
        this.fileStore?.sweep();
      } catch (error) {
        if (this.connection === db) this.teardown();
        throw error;
      }
      log.info('vault.unlocked', { insecure: current.current.kind === 'keyfile' });
      this.emit(this.unlockedListeners, undefined);
    });
  }

  /**
   * Atomic rekey to a key derived from `next`. `current` must match (in no-passphrase mode it is ignored
   * and the vault leaves that mode: the key file is shredded). Crash-safe, see rekey.ts.
   */
  changePassphrase(current: Buffer, next: Buffer): Promise<void> {
    return this.serialize(async () => {
      if (!this.connection || !this.key || !this.header) throw new VaultLockedError();
      requirePassphrase(next);
      const session = this.connection;
      if (this.header.current.kind === 'argon2id') {
        const wait = this.throttle.retryAfterMs();
        if (wait > 0) throw new UnlockThrottledError(wait);
        const slot = this.header.current;
        const candidate = this.track(await deriveKey(current, Buffer.from(slot.salt, 'base64'), slot));
        if (this.connection !== session || !this.key) {
          candidate.fill(0);
          throw new VaultLockedError();
        }
        const matches = timingSafeEqual(candidate, this.key);
        candidate.fill(0);
        if (!matches) {
          const retryAfterMs = this.throttle.recordFailure();
          throw new WrongPassphraseError(retryAfterMs);
        }
        this.throttle.reset();
      }
      const salt = newSalt();
      const nextKey = this.track(await deriveKey(next, salt, this.kdf));
      if (this.connection !== session) {
        nextKey.fill(0);
        throw new VaultLockedError();
      }
      this.rekeyTo(argon2Slot(this.kdf, salt), nextKey);
      log.info('vault.passphrase.changed', {});
    });
  }

  /**
   * Locks now: data access is cut, lock hooks run, the DB is closed (SQLite frees its page cache and
   * key schedule), every key Buffer is zeroed, then `locked` is emitted (only when it was unlocked).
   * 'shutdown' then lets go of the profile, for another process to open.
   */
  lock(reason: LockReason = 'user'): void {
    this.lockRequests++;
    if (this.connection) {
      this.teardown();
      log.info('vault.locked', { reason });
      this.emit(this.lockedListeners, reason);
    }
    if (reason === 'shutdown') {
      this.profileLock?.release();
      this.profileLock = undefined;
    }
  }

  /** Test hook: the very Buffer objects that held key material in this (or the last) session. */
  __keyBuffersForTest(): readonly Buffer[] {
    return this.keyBuffers;
  }

  // ---- internals -------------------------------------------------------------------------------

  private serialize<T>(op: () => Promise<T>): Promise<T> {
    return this.queue.run(op);
  }

  private holdProfile(): void {
    this.profileLock ??= ProfileLock.acquire(this.profileDir);
  }

  private track(buffer: Buffer): Buffer {
    this.keyBuffers.push(buffer);
    return buffer;
  }

  private readonly tracker = (buffer: Buffer): void => {
    this.keyBuffers.push(buffer);
  };

  /** First-run: a fresh DB under `key`, migrated, then the header that makes it "exist". */
  private initialize(key: Buffer, slot: KeySlot): void {
    mkdirSync(this.profileDir, { recursive: true, mode: 0o700 });
    chmodSync(this.profileDir, 0o700);
    const header = makeHeader(slot);
    const files = { db: this.dbPath, header: this.headerPath };
    const db = createDatabase(files, key, header, this.clock(), this.tracker);
    this.throttle.reset();
    this.startSession(db, key, header);
    log.info('vault.created', { insecure: slot.kind === 'keyfile' });
    this.emit(this.unlockedListeners, undefined);
  }

  private startSession(db: SqlDatabase, key: Buffer, header: VaultHeader): void {
    this.connection = db;
    this.key = key;
    this.header = header;
    this.fileStore = new EncryptedFileStore(
      db,
      join(this.profileDir, VAULT_FILES.filesDir),
      () => this.connection === db,
      this.clock,
    );
  }

  /** Crash-safe rekey of the open DB to `newKey` (see rekey.ts); leaves no-passphrase mode if `slot` does. */
  private rekeyTo(slot: KeySlot, newKey: Buffer): void {
    const db = this.connection;
    const header = this.header;
    if (!db || !header) {
      newKey.fill(0);
      throw new VaultLockedError();
    }
    this.fileStore?.flush();
    rekeyPages(db, this.headerPath, header.current, slot, newKey, this.tracker);
    // From here the DB is under the new key, whatever fails next.
    this.key?.fill(0);
    this.key = newKey;
    this.header = commitRekey(db, this.headerPath, slot);
    if (header.current.kind === 'keyfile' && slot.kind !== 'keyfile') leaveKeyFileMode(db, this.keyFilePath);
  }

  private teardown(): void {
    const db = this.connection;
    try {
      this.fileStore?.flush();
    } catch (error) {
      log.warn('vault.lock.flush_failed', errorFields(error));
    }
    this.connection = undefined;
    for (const hook of this.lockHooks) {
      try {
        hook();
      } catch (error) {
        log.error('vault.lock.hook_failed', errorFields(error));
      }
    }
    try {
      db?.close();
    } catch (error) {
      log.error('vault.lock.close_failed', errorFields(error));
    }
    this.key?.fill(0);
    for (const buffer of this.keyBuffers) buffer.fill(0);
    this.key = undefined;
    this.header = undefined;
    this.fileStore = undefined;
  }

  private emit<A>(listeners: Set<(arg: A) => void>, arg: A): void {
    for (const listener of [...listeners]) {
      try {
        listener(arg);
      } catch (error) {
        log.error('vault.listener_failed', errorFields(error));
      }
    }
  }
}

function requirePassphrase(passphrase: Buffer): void {
  if (!Buffer.isBuffer(passphrase) || passphrase.length === 0) {
    throw new ValidationError('The passphrase must not be empty.');
  }
}
