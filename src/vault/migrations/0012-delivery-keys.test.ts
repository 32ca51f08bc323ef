/**
 * Migration 0012 on a real SQLCipher DB holding version-11 data: rows keyed by a bare server GUID are still
 * recognised for envelopes the server took before the upgrade, and nothing is looked up by bare GUID in a
 * vault that never had one.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { envelopeDeliveryKey } from '../../messaging/delivery-key.js';
import { MessageStore } from '../../messaging/store.js';
import { dbAtVersion } from '../../test-support/db-at-version.js';
import { createTestVault } from '../../test-support/vault.js';
import { runMigrations, schemaVersion } from '../migrate.js';
import { MIGRATIONS } from './index.js';

const GUID = '6f1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b';
const ARRIVED = 1_700_000_000_000;

const keyAt = (serverTimestamp: number): string => {
  const key = envelopeDeliveryKey({ serverGuid: GUID, serverTimestamp });
  if (!key) throw new Error('no key');
  return key;
};

describe('migration 0012: delivery keys', () => {
  it('keeps recognising a bare-GUID row for envelopes the server took before it arrived', () => {
    const db = dbAtVersion(11);
    db.prepare("INSERT INTO conversations (id, service_id, created_at) VALUES ('c1', 'alice', 1)").run();
    db.prepare(
      `INSERT INTO messages (id, conversation_id, kind, direction, sent_at, received_at, server_guid,
         source_service_id, source_device, body, status)
       VALUES ('m1', 'c1', 'message', 'in', 5, ?, ?, 'alice', 1, 'hi', 'received')`,
    ).run(ARRIVED, GUID);
    runMigrations(db);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    const store = new MessageStore(db);
    expect(store.hasDeliveryKey(keyAt(ARRIVED - 2_000))).toBe(true);
    // An envelope the server took two days after the last bare-GUID row cannot be one of them.
    expect(store.hasDeliveryKey(keyAt(ARRIVED + 2 * 86_400_000))).toBe(false);
  });

  it('records no bare-GUID era in a new vault', async () => {
    const temp = await createTestVault();
    onTestFinished(() => temp.dispose());
    const until = temp.db.prepare('SELECT until_ms FROM legacy_delivery_keys').all();
    expect(until).toEqual([{ until_ms: 0 }]);
  });
});
