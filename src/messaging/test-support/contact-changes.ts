/**
 * Test-only: a simulated contact's raw Signal messages (the mock server's own encoding and encryption, not
 * ours) — replies, reactions, deletes for everyone, edits, timers — and a scan of every decrypted byte of
 * the vault DB, the proof that erased content is gone.
 */
import { join } from 'node:path';
import { EMPTY_DATA_MESSAGE } from '@signalapp/mock-server';
import type { DemoContact } from '../../demo/network.js';
import { readHeader } from '../../vault/header.js';
import { decryptedCopy, vaultKeyFromHeader } from '../../vault/test-support/decrypted-copy.js';
import { VAULT_FILES } from '../../vault/vault.js';
import { TEST_PASSPHRASE, type Harness } from './harness.js';

type DataFields = Record<string, unknown>;

function dataMessage(timestamp: number, fields: DataFields): Record<string, unknown> {
  return { ...EMPTY_DATA_MESSAGE, timestamp: BigInt(timestamp), ...fields };
}

/** The contact sends a DataMessage with these fields (timestamps as numbers); resolves once we acked. */
export async function contactSendsData(
  h: Harness,
  contact: DemoContact,
  fields: DataFields,
  timestamp = Date.now(),
): Promise<number> {
  await contact.device.sendRaw(h.device, {
    content: { dataMessage: dataMessage(timestamp, fields) } as never,
    pniSignatureMessage: null,
    senderKeyDistributionMessage: null,
  });
  return timestamp;
}

/** The contact edits its message sent at `target`. */
export async function contactEdits(
  h: Harness,
  contact: DemoContact,
  target: number,
  fields: DataFields,
  timestamp = Date.now(),
): Promise<void> {
  await contact.device.sendRaw(h.device, {
    content: {
      editMessage: { targetSentTimestamp: BigInt(target), dataMessage: dataMessage(timestamp, fields) },
    } as never,
    pniSignatureMessage: null,
    senderKeyDistributionMessage: null,
  });
}

/** Every byte of the vault DB (with its WAL) as plaintext: the examiner's view (vault/test-support). */
export async function plaintextVaultDb(h: Harness): Promise<Buffer> {
  const header = readHeader(join(h.profileDir, VAULT_FILES.header));
  const key = header && (await vaultKeyFromHeader(header, TEST_PASSPHRASE));
  if (!key) throw new Error('the test passphrase does not open this vault');
  try {
    const bytes = decryptedCopy(join(h.profileDir, VAULT_FILES.db), key);
    if (!bytes) throw new Error('the vault key does not open its DB');
    return bytes;
  } finally {
    key.fill(0);
  }
}
