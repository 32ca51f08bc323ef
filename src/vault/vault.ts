/**
 * The encrypted vault: one SQLCipher database per profile, keyed by Argon2id(passphrase), plus an
 * encrypted file store. README's "The vault" and "Threat model" say what is and is not protected.
 *
 * This class is the lifecycle (create, unlock, change passphrase, lock, listeners); the parts live next to
 * it: unlock-key.ts (which key slot opens the DB), keyed-database.ts (probe/open/create under a raw key),
 * key-file.ts (the no-passphrase mode), rekey.ts (the crash-safe rekey), erase.ts (the crypto-erase behind the
 * duress passphrase and the panic wipe), calibrate.ts (Argon2id cost tuned to the machine at creation) and
 * profile-lock.ts (one process per profile: create and unlock hold the profile first; `lock('shutdown')`
 * lets go of it).
 *
 * Profile layout (all 0600 in a 0700 directory):
 *   vault.db (+ -wal, -shm while open)  SQLCipher 4 database, raw 256-bit key
 *   vault.header.json                    KDF parameters + salt, the wrapped vault key (current, and pending
 *                                        during a rekey) and the duress slot (random when unset)
 *   vault.throttle.json                  non-secret: consecutive wrong passphrases and when
 *   vault.key                            only in the insecure no-passphrase mode: the raw key
 *   vault.lock                           empty; the process that has the profile open holds an OS lock on it
 *   vault.panic-optin                    empty; only if the CLI panic wipe may run without the passphrase
 *   files/<id>                           AES-256-GCM ciphertexts, keys in the DB
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
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
import {
  DEFAULT_CALIBRATION,
  MAX_CALIBRATED_MEMORY_KIB,
  calibrateKdf,
  type Calibration,
} from './calibrate.js';
import { KEY_BYTES } from './driver.js';
import {
  buildSpare,
  commitErase,
  destroyErased,
  destroyVaultData,
  discardSpares,
  finishDuressErase,
  FRESH_DB,
  stageFresh,
  swapInFresh,
  type Spare,
  type VaultPaths,
} from './erase.js';
import { EncryptedFileStore } from './file-store.js';
import { writeFileAtomic } from './fs-util.js';
import type { Argon2Slot, KeySlot, VaultHeader } from './header.js';
import { argon2Slot, makeHeader, readHeader, writeHeader } from './header.js';
import type { KdfParams } from './kdf.js';
import { isWeaker, newSalt, resolveKdfParams, storedKdfFloor } from './kdf.js';
import { createKeyFile, leaveKeyFileMode, shredStaleKeyFile } from './key-file.js';
import { randomWrap, unwrapKey, wrapKey } from './key-wrap.js';
import { createDatabase, openReadWrite } from './keyed-database.js';
import { runMigrations } from './migrate.js';
import { ProfileLock } from './profile-lock.js';
import { commitRekey, rekeyPages } from './rekey.js';
import { BackgroundShredder } from './shredder.js';
import type { SqlDatabase } from './sql.js';
import { UnlockThrottle } from './throttle.js';
import {
  checkSlotFloor,
  findUnlockingKey,
  passphraseKek,
  slotOpensWith,
  type DeriveCost,
  type UnlockMatch,
} from './unlock-key.js';

export type VaultState = 'uninitialized' | 'locked' | 'unlocked';
/** Why the vault locks; only 'shutdown' also lets go of the profile (a locked app still owns it). */
export type LockReason = 'user' | 'timer' | 'suspend' | 'shutdown';

export interface VaultOptions {
  /**
   * Argon2id parameters for new keys (defaults: 64 MiB, t=3, p=4). Tests pass low values for speed; a vault
   * configured below KDF_FLOOR also reads headers below it (storedKdfFloor), the app's never does.
   */
  kdf?: Partial<KdfParams>;
  /**
   * Tune new keys' Argon2id cost to this machine (calibrate.ts). Default: on, with a 1 s target, unless
   * `kdf` is given (tests); tests that exercise it pass a small target and floor.
   */
  calibrate?: Calibration | false;
  /** Milliseconds since the epoch; injectable for throttling tests. */
  clock?: () => number;
}

export const VAULT_FILES = Object.freeze({
  db: 'vault.db',
  header: 'vault.header.json',
  throttle: 'vault.throttle.json',
  keyFile: 'vault.key',
  filesDir: 'files',
  /**
   * Present = the user lets `npm run panic` erase the profile without the passphrase. Outside the DB
   * because that CLI cannot open the DB without it; it tells a reader of the disk only this choice.
   */
  panicOptIn: 'vault.panic-optin',
});

/** What the hardening report and the recalibration offer need to know about the current key's cost. */
interface KdfStatus {
  /** CPU time of one derivation over all its lanes: what one guess costs an attacker on one core. */
  readonly guessCpuMs: number;
  /** Wall time of the last unlock's derivation. */
  readonly unlockMs: number;
  /** The machine derives much faster than the calibration target: a stronger calibration is offered. */
  readonly recalibrationOffered: boolean;
}

const DURESS_META = 'duress_passphrase_set';

export class Vault {
  readonly profileDir: string;
  private readonly kdf: KdfParams;
  private readonly calibration: Calibration | undefined;
  /** The weakest stored parameters unlock accepts (see storedKdfFloor). */
  private readonly storedKdfFloor: KdfParams;
  private readonly clock: () => number;
  private readonly throttle: UnlockThrottle;
  private readonly dbPath: string;
  private readonly headerPath: string;
  private readonly keyFilePath: string;
  private readonly paths: VaultPaths;

  private connection: SqlDatabase | undefined;
  private key: Buffer | undefined;
  private header: VaultHeader | undefined;
  private fileStore: EncryptedFileStore | undefined;
  /** Outlives locks: a file deleted just before a lock is still overwritten and unlinked. */
  private readonly shredder = new BackgroundShredder();
  /** The cost of the current key's derivation, measured at create/unlock (undefined without a passphrase). */
  private deriveCost: DeriveCost | undefined;
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
    this.calibration =
      options.calibrate === false || (options.calibrate === undefined && options.kdf !== undefined)
        ? undefined
        : (options.calibrate ?? DEFAULT_CALIBRATION);
    this.storedKdfFloor = storedKdfFloor(this.kdf);
    this.clock = options.clock ?? Date.now;
    this.dbPath = join(profileDir, VAULT_FILES.db);
    this.headerPath = join(profileDir, VAULT_FILES.header);
    this.keyFilePath = join(profileDir, VAULT_FILES.keyFile);
    this.throttle = new UnlockThrottle(join(profileDir, VAULT_FILES.throttle), this.clock);
    this.paths = {
      db: this.dbPath,
      fresh: join(profileDir, FRESH_DB),
      keyFile: this.keyFilePath,
      throttle: join(profileDir, VAULT_FILES.throttle),
      filesDir: join(profileDir, VAULT_FILES.filesDir),
      panicOptIn: join(profileDir, VAULT_FILES.panicOptIn),
    };
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

  /**
   * Resolves once every deleted file queued so far has been overwritten and unlinked in the background
   * (the app waits for it, bounded, before it quits).
   */
  deletedFilesShredded(): Promise<void> {
    return this.shredder.idle();
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
      this.destroyDebris();
      const params = this.calibration ? await calibrateKdf(this.calibration) : this.kdf;
      const { slot, key, cost } = await this.newSlot(passphrase, params, newSalt());
      this.initialize(key, makeHeader(slot));
      // The first unlock measures it too; until then the creation's derivation is the figure.
      this.deriveCost = cost;
      // Nothing may be awaited after this: the API opens its session as soon as create resolves.
      this.announce('vault.created');
    });
  }

  /** Explicit, insecure opt-in: a random key kept in a 0600 file. Anyone who can read the profile can read the vault. */
  createWithoutPassphrase(): Promise<void> {
    return this.serialize(async () => {
      this.holdProfile();
      if (this.state !== 'uninitialized') throw new VaultAlreadyExistsError();
      this.keyBuffers = [];
      this.destroyDebris();
      const key = createKeyFile(this.profileDir, this.keyFilePath, this.tracker);
      this.initialize(key, makeHeader({ kind: 'keyfile' }));
      this.announce('vault.created');
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
    const unlocking = this.serialize(async () => {
      // Shredding pauses from here (its wait hides behind the key derivation) to the end of the unlock: no
      // deleted file may be held open while an erase moves or destroys the profile's files (Windows refuses).
      const shreddingPaused = this.shredder.pause();
      if (this.connection) return;
      // Before anything is read or a guess counted: another process with this profile open refuses us.
      this.holdProfile();
      // readHeader bounds what the header says; a damaged one is VaultCorruptError, never a counted guess.
      const header = readHeader(this.headerPath);
      if (!header) throw new VaultNotInitializedError();
      checkSlotFloor(header, this.storedKdfFloor);
      if (!existsSync(this.dbPath) && !existsSync(this.paths.fresh)) {
        throw new VaultCorruptError('The vault database is missing.');
      }
      const wait = this.throttle.retryAfterMs();
      if (wait > 0) throw new UnlockThrottledError(wait);
      const slots = header.pending ? [header.current, header.pending] : [header.current];
      if (passphrase === undefined && !slots.some((s) => s.kind === 'keyfile')) {
        throw new PreconditionError('This vault needs its passphrase.');
      }
      if (passphrase !== undefined && slots.some((s) => s.kind === 'argon2id')) requirePassphrase(passphrase);
      this.keyBuffers = [];

      const files = { db: this.dbPath, fresh: this.paths.fresh, keyFile: this.keyFilePath };
      const finding = findUnlockingKey(header, passphrase, files, this.tracker);
      // While Argon2id runs on the thread pool, the spare a duress erase would open: built by EVERY
      // passphrase unlock, so both passphrases do the same work (erase.ts).
      const spare = passphrase && header.duress ? this.tryBuildSpare() : undefined;
      let found: Awaited<typeof finding>;
      try {
        found = await finding;
      } catch (error) {
        spare?.key.fill(0);
        discardSpares(this.paths, false);
        throw error;
      }
      const { match, cost } = found;
      await shreddingPaused;
      if (match?.kind !== 'duress') {
        spare?.key.fill(0);
        // vault.fresh.db is debris only once vault.db opened: otherwise it may be an unfinished erase's.
        discardSpares(this.paths, match?.kind === 'vault' && !match.inFresh);
      }
      if (!match) {
        const retryAfterMs = this.throttle.recordFailure();
        log.warn('vault.unlock.wrong_passphrase', { failures: this.throttle.failures, retryAfterMs });
        throw new WrongPassphraseError(retryAfterMs);
      }
      this.throttle.reset();
      if (match.kind === 'duress') {
        // The erase goes ahead even if a lock was requested meanwhile: it is what the user asked for.
        this.shredder.abandon(); // what it was shredding is destroyed with the old vault
        this.eraseToFresh(match, spare);
        this.deriveCost = cost;
        if (this.lockRequests !== epoch) {
          this.teardown();
          throw new VaultLockedError();
        }
        this.announce('vault.unlocked');
        return;
      }
      if (match.inFresh) finishDuressErase(this.paths); // killed after its commit point: finish it
      if (this.lockRequests !== epoch) {
        match.key.fill(0);
        throw new VaultLockedError();
      }

      const db = openReadWrite(this.dbPath, match.key, this.tracker);
      let current = header;
      try {
        if (header.pending) {
          // A rekey was interrupted: whichever key opened the DB is now the only valid one.
          current = makeHeader(match.slot, header.duress ? { duress: header.duress } : {});
          writeHeader(this.headerPath, current);
          log.warn('vault.rekey.recovered', { completed: match.slot === header.pending });
        }
        runMigrations(db);
      } catch (error) {
        db.close();
        match.key.fill(0);
        throw error;
      }
      this.startSession(db, match.key, current);
      this.deriveCost = cost;
      try {
        if (current.current.kind !== 'keyfile') shredStaleKeyFile(this.keyFilePath);
        if (this.lockRequests !== epoch) throw new VaultLockedError();
        const stored = current.current;
        if (stored.kind === 'argon2id' && passphrase && (isWeaker(stored, this.kdf) || !stored.wrapped)) {
          // Stored parameters are older/weaker than today's, or the header predates wrapped keys (version
          // 1): a new random key under a fresh salt, and a rekey.
          const params = isWeaker(stored, this.kdf) ? this.kdf : stored;
          const next = await this.newSlot(passphrase, params, newSalt());
          if (this.connection !== db || this.lockRequests !== epoch) throw new VaultLockedError();
          try {
            this.rekeyTo(next.slot, next.key, randomWrap());
            log.info('vault.kdf.upgraded', { memoryKiB: params.memoryKiB, timeCost: params.timeCost });
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
      this.announce('vault.unlocked');
    });
    return unlocking.finally(() => this.shredder.resume());
  }

  /**
   * Atomic rekey to a new random key held under `next`. `current` must match (in no-passphrase mode it is
   * ignored and the vault leaves that mode: the key file is shredded). Crash-safe, see rekey.ts. The salt
   * and parameters stay, so a duress passphrase stays valid; `next` must differ from it.
   */
  changePassphrase(current: Buffer, next: Buffer): Promise<void> {
    return this.serialize(async () => {
      const { header, session } = await this.requirePassphraseMatch(current);
      requirePassphrase(next);
      const stored = header.current;
      if (stored.kind === 'argon2id' && stored.wrapped !== undefined) {
        const kek = await passphraseKek(next, stored, this.tracker);
        const opensDuress = unwrapKey(kek, header.duress ?? randomWrap(), 'duress');
        if (opensDuress) {
          opensDuress.fill(0);
          throw new ValidationError('The new passphrase must differ from the duress passphrase.');
        }
        const key = this.track(randomBytes(KEY_BYTES));
        this.requireSession(session, key);
        this.rekeyTo(
          argon2Slot(stored, stored.salt, wrapKey(kek, key, 'key')),
          key,
          header.duress ?? randomWrap(),
        );
      } else {
        const { slot, key } = await this.newSlot(next, this.kdf, newSalt());
        this.requireSession(session, key);
        this.rekeyTo(slot, key, randomWrap());
      }
      log.info('vault.passphrase.changed', {});
    });
  }

  /**
   * A duress passphrase: entered at unlock it erases this vault and opens a fresh, empty one under it.
   * Needs the current passphrase; must differ from it. The header's duress slot changes in place (it is
   * always there), and the DB records that one is set (the header must not say).
   */
  setDuressPassphrase(current: Buffer, duress: Buffer): Promise<void> {
    return this.serialize(async () => {
      const { header, session } = await this.requirePassphraseMatch(current);
      const stored = header.current;
      if (stored.kind !== 'argon2id' || stored.wrapped === undefined) {
        throw new PreconditionError('Set a passphrase first.');
      }
      requirePassphrase(duress);
      if (duress.length === current.length && timingSafeEqual(duress, current)) {
        throw new ValidationError('The duress passphrase must differ from your passphrase.');
      }
      const kek = await passphraseKek(duress, stored, this.tracker);
      const filler = randomBytes(KEY_BYTES);
      const slot = wrapKey(kek, filler, 'duress');
      filler.fill(0);
      this.requireSession(session);
      this.writeDuress(header, slot, true);
      log.info('vault.settings.changed', {});
    });
  }

  /** Removes the duress passphrase (its slot becomes random bytes again). Needs the current passphrase. */
  clearDuressPassphrase(current: Buffer): Promise<void> {
    return this.serialize(async () => {
      const { header, session } = await this.requirePassphraseMatch(current);
      this.requireSession(session);
      this.writeDuress(header, randomWrap(), false);
      log.info('vault.settings.changed', {});
    });
  }

  /** Whether `npm run panic` may erase this profile without the passphrase (readable while locked). */
  get panicWithoutPassphrase(): boolean {
    return existsSync(this.paths.panicOptIn);
  }

  /** Allows or forbids the passphrase-less CLI panic wipe (only from the unlocked app). */
  setPanicWithoutPassphrase(enabled: boolean): void {
    if (!this.connection) throw new VaultLockedError();
    if (enabled) writeFileAtomic(this.paths.panicOptIn, Buffer.alloc(0), 0o600);
    else if (existsSync(this.paths.panicOptIn)) unlinkSync(this.paths.panicOptIn);
  }

  /** Whether a duress passphrase is set (known only inside the unlocked vault). */
  get duressPassphraseSet(): boolean {
    return this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(DURESS_META) === '1';
  }

  /** The current key's derivation cost, and whether a stronger calibration is offered (unlocked only). */
  get kdfStatus(): KdfStatus | undefined {
    if (!this.connection || !this.deriveCost) return undefined;
    const { wallMs, cpuMs } = this.deriveCost;
    const stored = this.header?.current;
    const atBounds = stored?.kind === 'argon2id' && stored.memoryKiB >= MAX_CALIBRATED_MEMORY_KIB;
    const target = this.calibration?.targetMs;
    return {
      guessCpuMs: Math.round(cpuMs),
      unlockMs: Math.round(wallMs),
      // Only where this vault calibrates (the app; not tests or fixed-parameter vaults).
      recalibrationOffered: target !== undefined && !atBounds && wallMs < target / 2,
    };
  }

  /**
   * Calibrates Argon2id again for this machine and rekeys under the new parameters (fresh salt). A duress
   * passphrase is bound to the old parameters, so it is cleared: returns whether one was.
   */
  recalibrateKdf(passphrase: Buffer): Promise<{ duressCleared: boolean }> {
    return this.serialize(async () => {
      const { session } = await this.requirePassphraseMatch(passphrase);
      const calibration = this.calibration ?? DEFAULT_CALIBRATION;
      const params = await calibrateKdf(calibration);
      const duressCleared = this.duressPassphraseSet;
      const { slot, key, cost } = await this.newSlot(passphrase, params, newSalt());
      this.requireSession(session, key);
      this.rekeyTo(slot, key, randomWrap());
      this.deriveCost = cost;
      log.info('vault.kdf.upgraded', { memoryKiB: params.memoryKiB, timeCost: params.timeCost });
      return { duressCleared };
    });
  }

  /**
   * The panic wipe: locks if unlocked, then crypto-erases the profile (erase.ts) — the header goes first
   * (the commit point), then every vault file. Afterwards the profile is uninitialized. The caller decides
   * who may ask (the app: an unlocked session and a typed confirmation; the CLI: the passphrase or the
   * user's opt-in).
   */
  erase(): Promise<void> {
    return this.serialize(async () => {
      this.holdProfile();
      this.lockRequests++;
      const wasUnlocked = this.connection !== undefined;
      if (wasUnlocked) this.teardown();
      // No deleted file may be held open while the profile is destroyed; those files go with it anyway.
      await this.shredder.pause();
      this.shredder.abandon();
      this.shredder.resume();
      commitErase(this.headerPath, undefined)();
      destroyVaultData(this.paths);
      log.info('vault.locked', { reason: 'user' });
      if (wasUnlocked) this.emit(this.lockedListeners, 'user');
      await Promise.resolve();
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

  /**
   * First run: a fresh DB under `key`, migrated, then the header that makes it "exist". The caller has
   * destroyed any debris (destroyDebris).
   */
  private initialize(key: Buffer, header: VaultHeader): void {
    mkdirSync(this.profileDir, { recursive: true, mode: 0o700 });
    chmodSync(this.profileDir, 0o700);
    const files = { db: this.dbPath, header: this.headerPath };
    const db = createDatabase(files, key, header, this.clock(), this.tracker);
    this.throttle.reset();
    this.startSession(db, key, header);
  }

  /**
   * Duress (erase.ts): the spare becomes the fresh vault; the commit point is the header naming its key,
   * wrapped under the duress passphrase's key-encryption key (at hand: no second Argon2id run); then the
   * old vault is destroyed and the fresh one opened. Logs like a normal unlock.
   */
  private eraseToFresh(match: Extract<UnlockMatch, { kind: 'duress' }>, built: Spare | undefined): void {
    const spare = built ?? buildSpare(this.profileDir, this.clock(), this.tracker);
    const header = makeHeader(argon2Slot(match.slot, match.slot.salt, wrapKey(match.kek, spare.key, 'key')));
    stageFresh(spare, this.paths);
    const shredOldHeader = commitErase(this.headerPath, header);
    swapInFresh(this.paths);
    const db = openReadWrite(this.dbPath, spare.key, this.tracker);
    this.startSession(db, spare.key, header);
    this.fileStore?.sweep(); // the same tail as a normal unlock
    // Overwriting and deleting the old files is slow and not what makes them unreadable (the commit did
    // that): done right after the unlock answers, so its time does not tell which passphrase was typed. A
    // crash before it leaves `.vault.erased-*`, destroyed by the next unlock.
    setImmediate(() => {
      try {
        shredOldHeader();
        destroyErased(this.profileDir);
      } catch (error) {
        log.warn('vault.cleanup_failed', errorFields(error));
      }
    });
  }

  /** A spare for a possible duress erase, or undefined if it cannot be built now (a full disk: built later). */
  private tryBuildSpare(): Spare | undefined {
    try {
      return buildSpare(this.profileDir, this.clock(), this.tracker);
    } catch (error) {
      log.warn('vault.unlock.spare_failed', errorFields(error));
      return undefined;
    }
  }

  /** Without a header anything here is debris of an interrupted first run or erase: destroy it. */
  private destroyDebris(): void {
    if (existsSync(this.profileDir)) destroyVaultData(this.paths);
  }

  /**
   * A new random vault key, wrapped under `passphrase` with these parameters and salt (one Argon2id run,
   * whose cost is measured for the report and the recalibration offer).
   */
  private async newSlot(
    passphrase: Buffer,
    params: KdfParams,
    salt: Buffer,
  ): Promise<{ slot: Argon2Slot; key: Buffer; cost: DeriveCost }> {
    const base64 = salt.toString('base64');
    const started = performance.now();
    const cpu = process.cpuUsage();
    const kek = await passphraseKek(passphrase, { ...params, salt: base64 }, this.tracker);
    const used = process.cpuUsage(cpu);
    const cost = { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
    const key = this.track(randomBytes(KEY_BYTES));
    const slot = argon2Slot(params, base64, wrapKey(kek, key, 'key'));
    kek.fill(0);
    return { slot, key, cost };
  }

  /**
   * The unlocked vault's header, once `current` is proven to be its passphrase (throttled like unlock;
   * in no-passphrase mode nothing is checked).
   */
  private async requirePassphraseMatch(
    current: Buffer,
  ): Promise<{ header: VaultHeader; session: SqlDatabase }> {
    if (!this.connection || !this.key || !this.header) throw new VaultLockedError();
    const { header, connection: session, key } = this;
    if (header.current.kind === 'keyfile') return { header, session };
    const wait = this.throttle.retryAfterMs();
    if (wait > 0) throw new UnlockThrottledError(wait);
    const matches = await slotOpensWith(header.current, current, key, this.tracker);
    this.requireSession(session);
    if (!matches) throw new WrongPassphraseError(this.throttle.recordFailure());
    this.throttle.reset();
    return { header, session };
  }

  /** Throws VaultLockedError (zeroing `key`) if the session an operation started in has ended. */
  private requireSession(session: SqlDatabase, key?: Buffer): void {
    if (this.connection === session && this.key) return;
    key?.fill(0);
    throw new VaultLockedError();
  }

  /** The header's duress slot changes in place; the DB records whether one is set. */
  private writeDuress(header: VaultHeader, duress: string, set: boolean): void {
    const next = makeHeader(header.current, { duress });
    writeHeader(this.headerPath, next);
    this.header = next;
    this.db
      .prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)')
      .run(DURESS_META, set ? '1' : '0');
  }

  private startSession(db: SqlDatabase, key: Buffer, header: VaultHeader): void {
    this.connection = db;
    this.key = key;
    this.header = header;
    this.fileStore = new EncryptedFileStore(
      db,
      join(this.profileDir, VAULT_FILES.filesDir),
      () => this.connection === db,
      this.shredder,
      this.clock,
    );
  }

  /**
   * Crash-safe rekey of the open DB to `newKey` (see rekey.ts); leaves no-passphrase mode if `slot` does.
   * A `duress` other than the header's (random: the old one is not valid under new parameters) clears it.
   */
  private rekeyTo(slot: KeySlot, newKey: Buffer, duress: string): void {
    const db = this.connection;
    const header = this.header;
    if (!db || !header) {
      newKey.fill(0);
      throw new VaultLockedError();
    }
    this.fileStore?.flush();
    rekeyPages(db, this.headerPath, header, { slot, duress }, newKey, this.tracker);
    // From here the DB is under the new key, whatever fails next.
    this.key?.fill(0);
    this.key = newKey;
    this.header = commitRekey(db, this.headerPath, { slot, duress });
    if (duress !== header.duress) {
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, '0')").run(DURESS_META);
    }
    if (header.current.kind === 'keyfile' && slot.kind !== 'keyfile') leaveKeyFileMode(db, this.keyFilePath);
  }

  private teardown(): void {
    const db = this.connection;
    try {
      this.fileStore?.close();
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

  private announce(event: 'vault.created' | 'vault.unlocked'): void {
    log.info(event, { insecure: this.header?.current.kind === 'keyfile' });
    this.emit(this.unlockedListeners, undefined);
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
