/**
 * Demo storage service for encrypted account data. Signal's real storage service keeps protobuf
 * records (a manifest plus items); the demo keeps one opaque blob per account instead: the client
 * encrypts its account data (src/account/account-data.ts, AES-256-GCM under a key derived from the
 * master key) and the server only ever stores and returns ciphertext.
 *
 * Blobs are keyed by the account's SVR username (stable across re-registration: it is derived from the
 * ACI), so a fresh install that was handed SVR credentials in a 423 answer can fetch the blob before
 * registering again. Without the PIN (→ master key → storage key) the blob is useless. In memory only.
 */
import { ValidationError } from '../../errors.js';

const MAX_ACCOUNT_BLOB_BYTES = 256 * 1024;

export class DemoStorageService {
  private readonly blobs = new Map<string, { data: Buffer; version: number }>();

  put(key: string, data: Uint8Array): number {
    if (data.length === 0 || data.length > MAX_ACCOUNT_BLOB_BYTES) {
      throw new ValidationError(`An account blob must be 1..${MAX_ACCOUNT_BLOB_BYTES} bytes.`);
    }
    const version = (this.blobs.get(key)?.version ?? 0) + 1;
    this.blobs.set(key, { data: Buffer.from(data), version });
    return version;
  }

  get(key: string): { data: Buffer; version: number } | undefined {
    const stored = this.blobs.get(key);
    return stored ? { data: Buffer.from(stored.data), version: stored.version } : undefined;
  }

  delete(key: string): void {
    this.blobs.delete(key);
  }
}
