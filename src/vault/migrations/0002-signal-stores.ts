import type { Migration } from './types.js';

/**
 * libsignal protocol stores (owned by src/signal). Every key and session is a serialized libsignal
 * record in a BLOB column of the encrypted vault; nothing here is ever written to a plain file.
 *
 * `kind` is which of our two identities ('aci' | 'pni') a row belongs to: each identity has its own key
 * pair, registration id, prekeys and sessions, and prekey ids may repeat between them.
 */
export const migration0002: Migration = {
  version: 2,
  name: 'signal-stores',
  up(db) {
    db.exec(`
      CREATE TABLE signal_local_identity (
        kind TEXT PRIMARY KEY CHECK (kind IN ('aci', 'pni')),
        service_id TEXT NOT NULL,
        key_pair BLOB NOT NULL,
        registration_id INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;

      -- Remote identity keys, one per service id (all devices of an account share it).
      -- verified: 0 = default, 1 = verified, 2 = unverified (was verified, then the key changed).
      -- needs_approval: 1 when a previously verified key changed; sending is refused until approved.
      CREATE TABLE signal_identities (
        service_id TEXT PRIMARY KEY,
        public_key BLOB NOT NULL,
        first_seen INTEGER NOT NULL,
        changed_at INTEGER,
        verified INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1, 2)),
        needs_approval INTEGER NOT NULL DEFAULT 0 CHECK (needs_approval IN (0, 1))
      ) STRICT;

      -- "Safety number changed" events for the messaging layer to show in the conversation.
      CREATE TABLE signal_identity_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        service_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        was_verified INTEGER NOT NULL,
        consumed INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX signal_identity_events_pending ON signal_identity_events (consumed, id);

      CREATE TABLE signal_sessions (
        our_kind TEXT NOT NULL CHECK (our_kind IN ('aci', 'pni')),
        service_id TEXT NOT NULL,
        device_id INTEGER NOT NULL,
        record BLOB NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (our_kind, service_id, device_id)
      ) STRICT;

      CREATE TABLE signal_prekeys (
        kind TEXT NOT NULL CHECK (kind IN ('aci', 'pni')),
        id INTEGER NOT NULL,
        record BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (kind, id)
      ) STRICT;

      CREATE TABLE signal_signed_prekeys (
        kind TEXT NOT NULL CHECK (kind IN ('aci', 'pni')),
        id INTEGER NOT NULL,
        record BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (kind, id)
      ) STRICT;

      -- One-time Kyber prekeys are deleted when used; last-resort ones stay and record each use.
      CREATE TABLE signal_kyber_prekeys (
        kind TEXT NOT NULL CHECK (kind IN ('aci', 'pni')),
        id INTEGER NOT NULL,
        record BLOB NOT NULL,
        last_resort INTEGER NOT NULL CHECK (last_resort IN (0, 1)),
        created_at INTEGER NOT NULL,
        PRIMARY KEY (kind, id)
      ) STRICT;

      -- Uses of a last-resort Kyber key: the same (signed prekey, base key) twice is a replay.
      CREATE TABLE signal_kyber_last_resort_uses (
        kind TEXT NOT NULL,
        kyber_id INTEGER NOT NULL,
        signed_prekey_id INTEGER NOT NULL,
        base_key BLOB NOT NULL,
        used_at INTEGER NOT NULL,
        PRIMARY KEY (kind, kyber_id, signed_prekey_id, base_key)
      ) STRICT;

      CREATE TABLE signal_sender_keys (
        service_id TEXT NOT NULL,
        device_id INTEGER NOT NULL,
        distribution_id TEXT NOT NULL,
        record BLOB NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (service_id, device_id, distribution_id)
      ) STRICT;

      -- Next prekey ids per identity, so ids never repeat while old keys may still be in flight.
      CREATE TABLE signal_counters (
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        value INTEGER NOT NULL,
        PRIMARY KEY (kind, name)
      ) STRICT;
    `);
  },
};
