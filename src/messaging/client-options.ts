/** How a MessagingClient is set up: the vault, the service, the account, the route, settings hooks. */
import type { ClientConfig } from '../net/config.js';
import type { SocketOpener } from '../net/socket-opener.js';
import type { EncryptedFileStore } from '../vault/file-store.js';
import type { SqlDatabase } from '../vault/sql.js';
import type { AccountCredentials } from './connection.js';
import type { PreKeyMaintenanceSettings } from './prekey-maintenance.js';
import type { BlockUnknownSenders } from '../settings/schema.js';

/** The parts of src/vault's Vault the client needs. */
interface VaultLike {
  readonly db: SqlDatabase;
  /** The vault's encrypted file store; without it the client neither sends nor downloads attachments. */
  readonly files?: EncryptedFileStore;
  addLockHook?(hook: () => void): () => void;
}

export interface MessagingClientOptions {
  readonly vault: VaultLike;
  readonly config: ClientConfig;
  readonly credentials: AccountCredentials;
  /** The route (direct, SOCKS5, Tor). Default: direct. */
  readonly openSocket?: SocketOpener;
  /** Settings hooks (src/settings); read on use so changes apply at once. */
  readonly blockUnknownSenders?: () => BlockUnknownSenders;
  /** Send read receipts and show the contacts' (Signal's reciprocity rule). Default true. */
  readonly readReceipts?: () => boolean;
  readonly defaultExpireTimer?: () => number | null;
  readonly ownProfileKey?: () => Uint8Array | null;
  readonly keepaliveIntervalMs?: number;
  /** Reconnect after a lost socket (default true), with exponential backoff and jitter. */
  readonly reconnect?: boolean;
  /** Diagnostics/bench tap: each raw (still encrypted) envelope as it arrives. */
  readonly onEnvelope?: (envelope: Uint8Array) => void;
  /** Send/receive attachments when the vault has a file store (default true). */
  readonly attachments?: boolean;
  /**
   * Persist our new profile key after `rotateProfileKey` / `removeContact` uploaded its commitment
   * (`ownProfileKey` must return it from then on). Without it, rotation is refused.
   */
  readonly saveOwnProfileKey?: (profileKey: Uint8Array) => void | Promise<void>;
  /** `PUT /v1/profile`'s body for a profile key: our name etc. re-encrypted, so a rotation keeps them. */
  readonly profileBody?: (profileKey: Uint8Array) => Uint8Array;
  /** Signal's prekey batch size and top-up minimum unless set (tests use small batches). */
  readonly preKeys?: PreKeyMaintenanceSettings;
  /** Injectable clock (tests): message times, disappearing-message expiry, prekey rotation. Default Date.now. */
  readonly clock?: () => number;
}
