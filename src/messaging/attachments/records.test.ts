import { randomBytes } from 'node:crypto';
import { openSync, readSync, writeSync, closeSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PreconditionError, ValidationError, VaultCorruptError } from '../../errors.js';
import { listFiles, scanTree } from '../../test-support/files.js';
import { createTestVault, type TestVault } from '../../test-support/vault.js';
import type { SqlDatabase } from '../../vault/sql.js';
import { MessageStore } from '../store.js';
import { AttachmentRecords } from './records.js';
import { prepareOutgoingAttachment, storeOutgoingAttachment } from './service.js';

let temp: TestVault | undefined;

function pendingRows(db: SqlDatabase): number {
  return (db.prepare(`SELECT count(*) AS n FROM attachments WHERE state = 'pending'`).get() as { n: number })
    .n;
}
afterEach(() => {
  temp?.dispose();
  temp = undefined;
});

describe('AttachmentRecords at rest', () => {
  it('a pending incoming attachment survives a restart, with its key only inside the encrypted DB', async () => {
    temp = await createTestVault('carapace-att-rec-');
    const key = randomBytes(64);
    const digest = randomBytes(32);
    const records = new AttachmentRecords(temp.vault.db, temp.vault.files);
    const id = records.addIncoming({
      cdnKey: 'abc',
      cdnNumber: 3,
      key,
      digest,
      size: 1234,
      fileName: '../../secret/Tax Return.pdf\u202e',
      contentType: 'application/pdf',
    });
    expect(records.get(id)).toMatchObject({
      state: 'pending',
      fileName: 'Tax Return.pdf',
      declaredContentType: 'application/pdf',
      size: 1234,
      potentiallyExecutable: false,
    });
    expect(() => records.read(id)).toThrow(PreconditionError);

    await temp.reopen();
    const again = new AttachmentRecords(temp.vault.db, temp.vault.files);
    expect(again.get(id)?.state).toBe('pending');
    temp.vault.lock('user');
    expect(scanTree(temp.dir, [key.subarray(0, 32), key.subarray(32), digest])).toEqual([]);
  });

  it('rejects malformed ids and deletes idempotently', async () => {
    temp = await createTestVault('carapace-att-rec-');
    const records = new AttachmentRecords(temp.vault.db, temp.vault.files);
    expect(() => records.get('../../etc')).toThrow(ValidationError);
    expect(records.get('0'.repeat(32))).toBeUndefined();
    const id = records.addIncoming({
      cdnKey: 'k',
      cdnNumber: 3,
      key: randomBytes(64),
      digest: randomBytes(32),
      size: 1,
    });
    records.delete(id);
    records.delete(id);
    expect(records.get(id)).toBeUndefined();
    expect(pendingRows(temp.vault.db)).toBe(0);
  });

  it('sweeps attachments no message refers to (viewed view-once, expired, orphaned) and shreds their files', async () => {
    temp = await createTestVault('carapace-att-rec-');
    const { db, files } = temp.vault;
    let now = 1_000_000;
    const records = new AttachmentRecords(db, files, () => now);
    const store = new MessageStore(db);
    const html = await prepareOutgoingAttachment({
      bytes: Buffer.from('<!doctype html><script>alert(1)</script>'),
    });
    const kept = records.addOutgoing(storeOutgoingAttachment(files, html));
    const orphan = records.addOutgoing(storeOutgoingAttachment(files, html));
    const viewOnce = records.addIncoming({
      cdnKey: 'k',
      cdnNumber: 3,
      key: randomBytes(64),
      digest: randomBytes(32),
      size: 1,
    });
    const conversation = store.getOrCreateConversation('9d0652a3-dcc3-4d11-975f-74d61598733f');
    store.insertIncoming({
      conversationId: conversation.id,
      sourceServiceId: conversation.serviceId,
      sourceDevice: 1,
      sentAt: 1,
      body: null,
      attachmentIds: [kept],
    });
    const { message } = store.insertIncoming({
      conversationId: conversation.id,
      sourceServiceId: conversation.serviceId,
      sourceDevice: 1,
      sentAt: 2,
      body: null,
      viewOnce: true,
      attachmentIds: [viewOnce],
    });
    expect(records.sweepUnreferenced()).toBe(0); // the orphan is still within its grace period
    now += 60 * 60 * 1000;
    const filesBefore = (db.prepare('SELECT count(*) AS n FROM files').get() as { n: number }).n;
    expect(records.sweepUnreferenced()).toBe(1);
    expect(records.get(orphan)).toBeUndefined();
    expect((db.prepare('SELECT count(*) AS n FROM files').get() as { n: number }).n).toBe(filesBefore - 1);
    store.markViewed(message!.id);
    expect(records.sweepUnreferenced()).toBe(1);
    expect(records.get(viewOnce)).toBeUndefined();
    // HTML is never handed to the renderer with a type it would render.
    const read = records.read(kept);
    expect(read.contentType).toBe('text/html');
    expect(read.inlineImage).toBe(false);
    expect(read.blobType).toBe('application/octet-stream');
    expect(records.get(kept)?.potentiallyExecutable).toBe(true);
  });

  it('a malformed pointer (bad cdnKey, unknown CDN, no location, short key) fails for good at once, its keys gone (issue 12.10)', async () => {
    temp = await createTestVault('carapace-att-rec-');
    const records = new AttachmentRecords(temp.vault.db, temp.vault.files);
    const key = randomBytes(64);
    const digest = randomBytes(32);
    const good = { cdnKey: 'abc', cdnNumber: 3, key, digest, size: 10 };
    const malformed = [
      { ...good, cdnKey: '../../v1/accounts' },
      { ...good, cdnKey: 'a/b' },
      { ...good, cdnNumber: 7 },
      { key, digest, size: 10, cdnNumber: 3 }, // no location
      { ...good, cdnKey: '', cdnId: 0 },
      { ...good, key: randomBytes(12) },
      { ...good, digest: randomBytes(3) },
    ];
    const ids = malformed.map((pointer) => records.addIncoming(pointer));
    for (const id of ids) {
      expect(records.get(id), id).toMatchObject({ state: 'failed', failure: 'malformed' });
    }
    expect(pendingRows(temp.vault.db)).toBe(0);
    const stored = temp.vault.db
      .prepare(`SELECT count(*) AS n FROM attachments WHERE pointer IS NOT NULL`)
      .get() as { n: number };
    expect(stored.n).toBe(0);
    expect(records.get(records.addIncoming(good))?.state).toBe('pending');
  });

  it('reuses its prepared statements: a thousand pointers prepare each statement once (issue 13.4)', async () => {
    temp = await createTestVault('carapace-att-rec-');
    const records = new AttachmentRecords(temp.vault.db, temp.vault.files);
    const prepare = vi.spyOn(temp.vault.db, 'prepare');
    const pointer = { cdnKey: 'k', cdnNumber: 3, key: randomBytes(64), digest: randomBytes(32), size: 1 };
    const ids = temp.vault.db.transaction(() =>
      Array.from({ length: 1000 }, () => records.addIncoming(pointer)),
    )();
    for (const id of ids) records.get(id);
    expect(prepare.mock.calls.length).toBeLessThanOrEqual(2);
    prepare.mockRestore();
  });

  it('a later piece of a file read by range decrypts only the segments it touches, not the head again', async () => {
    temp = await createTestVault('carapace-att-rec-');
    const { files } = temp.vault;
    const records = new AttachmentRecords(temp.vault.db, files);
    const content = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2 * 1024 * 1024)]);
    const writer = files.createWriter();
    writer.write(content);
    const staged = writer.commit();
    const id = records.addOutgoing(
      storeOutgoingAttachment(files, await prepareOutgoingAttachment({ fileId: staged }, files)),
    );
    const piece = 1024 * 1024;
    const first = records.readRange(id, 0, piece);
    expect(first).toMatchObject({ size: content.length, blobType: 'application/octet-stream' });
    expect(first.bytes.equals(content.subarray(0, piece))).toBe(true);

    // Damage the file's first segment on disk: a piece that does not touch it must still read.
    const path = listFiles(temp.dir).find((file) => file.endsWith(staged));
    if (!path) throw new Error('vault file not found');
    const fd = openSync(path, 'r+');
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, 100);
    byte[0] = (byte[0] ?? 0) ^ 0xff;
    writeSync(fd, byte, 0, 1, 100);
    closeSync(fd);

    const second = records.readRange(id, piece, piece);
    expect(second.blobType).toBe('application/octet-stream');
    expect(second.bytes.equals(content.subarray(piece, 2 * piece))).toBe(true);
    expect(() => records.readRange(id, 0, piece)).toThrow(VaultCorruptError);
  });
});
