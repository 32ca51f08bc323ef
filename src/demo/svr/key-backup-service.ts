/**
 * The demo network's PIN-protected key backup, standing in for Signal's SVR2 enclave: per SVR username it
 * keeps a verifier of the access key (never the key itself), the wrapped master key (opaque to the
 * server: only the PIN's encryption key unwraps it) and a guess counter. Ten wrong access keys delete the
 * backup, as SVR does; a right one resets the counter. State lives in memory, like the mock server's.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../../errors.js';

const DEFAULT_MAX_TRIES = 10;
const ACCESS_KEY_LENGTH = 32;
const WRAPPED_LENGTH = 48;

interface StoredBackup {
  readonly verifier: Buffer;
  readonly wrappedMasterKey: Buffer;
  readonly maxTries: number;
  triesRemaining: number;
}

export type RestoreResult =
  | { readonly status: 'ok'; readonly wrappedMasterKey: Buffer; readonly triesRemaining: number }
  | { readonly status: 'wrong-pin'; readonly triesRemaining: number; readonly deleted: boolean }
  | { readonly status: 'missing' }
  | { readonly status: 'deleted' };

export class KeyBackupService {
  private readonly backups = new Map<string, StoredBackup>();
  /** Usernames whose backup was destroyed by too many wrong guesses (so the client can say so). */
  private readonly destroyed = new Set<string>();
  private readonly secret = randomBytes(32);

  backup(
    username: string,
    accessKey: Uint8Array,
    wrappedMasterKey: Uint8Array,
    maxTries = DEFAULT_MAX_TRIES,
  ): void {
    if (accessKey.length !== ACCESS_KEY_LENGTH) throw new ValidationError('accessKey must be 32 bytes');
    if (wrappedMasterKey.length !== WRAPPED_LENGTH)
      throw new ValidationError('wrappedMasterKey must be 48 bytes');
    if (!Number.isInteger(maxTries) || maxTries < 1 || maxTries > DEFAULT_MAX_TRIES) {
      throw new ValidationError(`maxTries must be 1..${DEFAULT_MAX_TRIES}`);
    }
    this.wipe(username);
    this.backups.set(username, {
      verifier: this.verifier(username, accessKey),
      wrappedMasterKey: Buffer.from(wrappedMasterKey),
      maxTries,
      triesRemaining: maxTries,
    });
    this.destroyed.delete(username);
  }

  restore(username: string, accessKey: Uint8Array): RestoreResult {
    const stored = this.backups.get(username);
    if (!stored) return this.destroyed.has(username) ? { status: 'deleted' } : { status: 'missing' };
    const given = this.verifier(username, accessKey);
    const ok = given.length === stored.verifier.length && timingSafeEqual(given, stored.verifier);
    if (ok) {
      stored.triesRemaining = stored.maxTries;
      return {
        status: 'ok',
        wrappedMasterKey: Buffer.from(stored.wrappedMasterKey),
        triesRemaining: stored.triesRemaining,
      };
    }
    stored.triesRemaining -= 1;
    if (stored.triesRemaining <= 0) {
      this.wipe(username);
      this.destroyed.add(username);
      return { status: 'wrong-pin', triesRemaining: 0, deleted: true };
    }
    return { status: 'wrong-pin', triesRemaining: stored.triesRemaining, deleted: false };
  }

  delete(username: string): void {
    this.wipe(username);
    this.destroyed.delete(username);
  }

  triesRemaining(username: string): number | undefined {
    return this.backups.get(username)?.triesRemaining;
  }

  has(username: string): boolean {
    return this.backups.has(username);
  }

  /** Test/inspection hook: every byte the service holds for a username (to prove no key is kept). */
  storedBytesForTest(username: string): Buffer[] {
    const stored = this.backups.get(username);
    return stored ? [stored.verifier, stored.wrappedMasterKey] : [];
  }

  private verifier(username: string, accessKey: Uint8Array): Buffer {
    // Keyed and bound to the username: the server never keeps the access key itself.
    return createHmac('sha256', this.secret).update(username).update('\0').update(accessKey).digest();
  }

  private wipe(username: string): void {
    const stored = this.backups.get(username);
    if (stored) {
      stored.wrappedMasterKey.fill(0);
      stored.verifier.fill(0);
    }
    this.backups.delete(username);
  }
}
