/**
 * Disappearing messages end to end on the demo network (real mock server, real vault, real libsignal),
 * with an injectable clock: timer sync with the contact both ways, countdown from read/sent, deletion
 * of messages AND their attachments on time — also when the timer ran out while the app was closed
 * (purged at the next start, before anything can be displayed). Deletion is verified by decrypting a
 * checkpointed copy of the vault DB and scanning its every byte for the marker text.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { EMPTY_DATA_MESSAGE } from '@signalapp/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoContact } from '../demo/network.js';
import { applyKey } from '../vault/driver.js';
import { readHeader } from '../vault/header.js';
import { vaultKeyFromHeader } from '../vault/test-support/decrypted-copy.js';
import { VAULT_FILES } from '../vault/vault.js';
import { purgeExpiredMessages, type MessagingClient } from './client.js';
import { createHarness, TEST_PASSPHRASE, type Harness } from './test-support/harness.js';
import { onceShredded } from '../test-support/files.js';

const require = createRequire(import.meta.url);
const mockCrypto = require('@signalapp/mock-server/src/crypto.js') as {
  encryptAttachment(cleartext: Buffer): {
    key: Buffer;
    blob: Buffer<ArrayBuffer>;
    digest: Buffer;
    size: number;
  };
};
const mockAttachment = require('@signalapp/mock-server/src/data/attachment.js') as {
  attachmentToPointer(cdnKey: string, attachment: unknown): Record<string, unknown>;
};

describe('disappearing messages (demo network, injectable clock)', () => {
  let h: Harness;
  let client: MessagingClient;
  let cdnDir: string;
  let now = Date.now();
  const clock = (): number => now;
  let defaultSeconds: number | null = null;

  async function start(): Promise<MessagingClient> {
    return h.startClient({ clock, defaultExpireTimer: () => defaultSeconds });
  }

  /**
   * Every byte of the vault DB as plaintext: checkpoint the WAL into the DB (TRUNCATE empties the
   * -wal file), copy the file, open the copy with the vault key and rekey it to no key, which
   * rewrites every page decrypted. Returns the decrypted bytes plus the raw -wal size.
   */
  async function plaintextDb(): Promise<{ bytes: Buffer; walBytes: number; freePages: number }> {
    h.vault.db.pragma('wal_checkpoint(TRUNCATE)');
    const dbPath = join(h.profileDir, VAULT_FILES.db);
    const walPath = `${dbPath}-wal`;
    const walBytes = readdirSync(h.profileDir).includes(`${VAULT_FILES.db}-wal`)
      ? readFileSync(walPath).length
      : 0;
    const scratch = mkdtempSync(join(tmpdir(), 'carapace-scan-'));
    try {
      const copy = join(scratch, 'copy.db');
      copyFileSync(dbPath, copy);
      const header = readHeader(join(h.profileDir, VAULT_FILES.header));
      const key = await vaultKeyFromHeader(header!, TEST_PASSPHRASE);
      if (!key) throw new Error('the test passphrase opens the vault');
      const db = new Database(copy);
      try {
        applyKey(db, key);
        const freePages = db.pragma('freelist_count', { simple: true }) as number;
        db.rekey(Buffer.alloc(0));
        db.close();
        return { bytes: readFileSync(copy), walBytes, freePages };
      } finally {
        key.fill(0);
        if (db.open) db.close();
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  function filesOnDisk(): number {
    return readdirSync(join(h.profileDir, 'files')).length;
  }

  async function contactSends(contact: DemoContact, data: Record<string, unknown>): Promise<void> {
    await contact.device.sendRaw(h.device, {
      content: { dataMessage: { ...EMPTY_DATA_MESSAGE, timestamp: BigInt(Date.now()), ...data } },
      pniSignatureMessage: null,
      senderKeyDistributionMessage: null,
    });
  }

  beforeAll(async () => {
    cdnDir = mkdtempSync(join(tmpdir(), 'carapace-dis-cdn-'));
    h = await createHarness({ cdnDir });
    client = await start();
  });
  afterAll(async () => {
    await h?.close();
    rmSync(cdnDir, { recursive: true, force: true });
  });

  it('incoming: the contact’s timer is adopted; the countdown starts at read; message and attachment are purged at the next start after expiring while closed', async () => {
    const zed = await h.contact('Zed');
    await h.sendFromContact(zed, 'hi').acked;
    const conversationId = client.store.findConversationByServiceId(zed.aci)!.id;
    const marker = `DISAPPEAR-MARKER-${randomBytes(6).toString('hex')}`;
    const attachmentBytes = Buffer.concat([Buffer.from(`%PDF-1.4\n${marker}`), randomBytes(2000)]);
    const encrypted = mockCrypto.encryptAttachment(attachmentBytes);
    const cdnKey = `dis-${randomBytes(8).toString('hex')}`;
    await h.network.server.storeAttachmentOnCdn(3, cdnKey, encrypted.blob);
    await contactSends(zed, {
      body: marker,
      expireTimer: 30,
      attachments: [{ ...mockAttachment.attachmentToPointer(cdnKey, encrypted), cdnNumber: 3 }],
    });

    const message = client.store.page(conversationId).messages.find((m) => m.body === marker)!;
    expect(message.expireTimerSeconds).toBe(30);
    expect(message.expiresAt).toBeNull(); // not read yet: no countdown
    expect(client.store.getConversation(conversationId)?.expireTimerSeconds).toBe(30);
    const event = client.store.page(conversationId).messages.find((m) => m.eventType === 'timer-changed');
    expect(event?.eventData).toEqual({ seconds: 30, byThem: true });
    const attachmentId = message.attachmentIds[0]!;
    await client.downloadAll(message.id, [attachmentId]);
    expect(client.attachmentInfo(attachmentId)?.state).toBe('ready');

    now += 3_600_000; // an hour unread: nothing disappears
    expect(client.purgeExpired()).toBe(0);
    await client.markRead(conversationId);
    expect(client.store.getMessage(message.id)?.expiresAt).toBe(now + 30_000);

    const before = await plaintextDb();
    expect(before.bytes.includes(Buffer.from(marker))).toBe(true); // the scan can see it while it lives
    const filesBefore = filesOnDisk();

    // Close the app (stop + lock), let the timer run out while it is closed, start again.
    await client.stop();
    h.vault.lock('user');
    now += 31_000;
    await h.reopenVault();
    client = await start(); // purges before connecting, i.e. before anything could be displayed
    expect(client.store.getMessage(message.id)).toBeUndefined();
    expect(client.attachmentInfo(attachmentId)).toBeUndefined();
    // the attachment's file was shredded (in the background)
    await onceShredded(() => expect(filesOnDisk()).toBe(filesBefore - 1));

    const after = await plaintextDb();
    expect(after.walBytes).toBe(0);
    expect(after.bytes.includes(Buffer.from(marker))).toBe(false);
    expect(after.bytes.includes(Buffer.from('SQLite format 3'))).toBe(true); // it is a decrypted DB
  });

  it('outgoing: our timer change reaches the contact; the countdown starts at send; deleted on time', async () => {
    const yan = await h.contact('Yan');
    await h.sendFromContact(yan, 'hello').acked;
    const conversationId = client.store.findConversationByServiceId(yan.aci)!.id;
    await client.setExpireTimer(conversationId, 300);
    let update = await yan.device.waitForMessage();
    while (!(update.dataMessage.flags && update.dataMessage.flags & 2))
      update = await yan.device.waitForMessage();
    expect(update.dataMessage.expireTimer).toBe(300);

    const marker = `OUTGOING-MARKER-${randomBytes(6).toString('hex')}`;
    const sent = await client.sendText(conversationId, marker);
    expect(sent.expiresAt).toBe(sent.sentAt + 300_000);
    expect(sent.sentAt - now).toBeLessThan(10); // the countdown started at send (client clock)
    const got = await yan.device.waitForMessage();
    expect(got.body).toBe(marker);
    expect(got.dataMessage.expireTimer).toBe(300);

    now += 299_000;
    expect(client.purgeExpired()).toBe(0);
    now += 2_000;
    expect(client.purgeExpired()).toBe(1);
    expect(client.store.getMessage(sent.id)).toBeUndefined();
    expect((await plaintextDb()).bytes.includes(Buffer.from(marker))).toBe(false);
  });

  it('a contact’s timer change (EXPIRATION_TIMER_UPDATE) updates ours and shows in the timeline', async () => {
    const xia = await h.contact('Xia');
    await h.sendFromContact(xia, 'hey').acked;
    const conversationId = client.store.findConversationByServiceId(xia.aci)!.id;
    await contactSends(xia, { flags: 2, expireTimer: 3600 });
    expect(client.store.getConversation(conversationId)?.expireTimerSeconds).toBe(3600);
    await contactSends(xia, { flags: 2, expireTimer: 0 });
    expect(client.store.getConversation(conversationId)?.expireTimerSeconds).toBeNull();
    const events = client.store
      .page(conversationId)
      .messages.filter((m) => m.eventType === 'timer-changed')
      .map((m) => m.eventData);
    expect(events).toEqual([
      { seconds: null, byThem: true },
      { seconds: 3600, byThem: true },
    ]);
  });

  it('the global default applies to new chats only, and goes out with the first message', async () => {
    const wen = await h.contact('Wen');
    const old = client.conversation(wen.aci);
    expect(old.expireTimerSeconds).toBeNull();
    defaultSeconds = 604_800;
    expect(client.conversation(wen.aci).expireTimerSeconds).toBeNull(); // existing chat unchanged
    const vic = await h.contact('Vic');
    const fresh = client.conversation(vic.aci);
    expect(fresh.expireTimerSeconds).toBe(604_800);
    defaultSeconds = 30; // a later change of the default leaves it alone
    const sent = await client.sendText(fresh.id, 'first words');
    expect(sent.expireTimerSeconds).toBe(604_800);
    expect((await vic.device.waitForMessage()).dataMessage.expireTimer).toBe(604_800);
  });

  it('purgeExpiredMessages (for the API right after unlock) deletes what expired while locked, without a client', async () => {
    const uma = await h.contact('Uma');
    const chat = client.conversation(uma.aci);
    await client.setExpireTimer(chat.id, 30);
    const sent = await client.sendText(chat.id, 'expires while locked');
    await client.stop();
    h.vault.lock('user');
    now += 31_000;
    const vault = await h.reopenVault();
    expect(purgeExpiredMessages(vault, now)).toBe(1);
    client = await start();
    expect(client.store.getMessage(sent.id)).toBeUndefined();
  });
});
