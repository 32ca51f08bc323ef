/**
 * A view-once viewing on a real vault (SQLCipher DB, encrypted files on disk): opened once and marked
 * viewed at once, read by range while it lasts, ended — files shredded — by its last piece or by an idle
 * timeout (a stand-in scheduler, so the test does not wait 30 s); a lock forgets it and the next start's
 * sweep shreds the media.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { AlreadyViewedError, NotFoundError } from '../errors.js';
import { createTestVault, type TestVault } from '../test-support/vault.js';
import { AttachmentRecords } from './attachments/records.js';
import { prepareOutgoingAttachment, storeOutgoingAttachment } from './attachments/service.js';
import { MessageStore } from './store.js';
import { VIEW_ONCE_IDLE_MS, ViewOnceViewings } from './view-once.js';

const CONTACT = '11111111-2222-4333-8444-555555555555';
const MIB = 1024 * 1024;
let sentAt = 0;

let temp: TestVault | undefined;
afterEach(() => {
  temp?.dispose();
  temp = undefined;
});

/** A stand-in for setTimeout: the test fires the pending timer itself. */
function manualSchedule() {
  const pending: { ending: () => void; ms: number; cancelled: boolean }[] = [];
  return {
    schedule: (ending: () => void, ms: number) => {
      const timer = { ending, ms, cancelled: false };
      pending.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
    /** Runs the one timer still armed; fails if there is not exactly one. */
    fire(): number {
      const armed = pending.filter((t) => !t.cancelled);
      expect(armed).toHaveLength(1);
      armed[0]!.cancelled = true;
      armed[0]!.ending();
      return armed[0]!.ms;
    },
    armed: () => pending.filter((t) => !t.cancelled).length,
  };
}

/** A received view-once message with one downloaded 3 MiB file (a segmented vault file). */
async function viewOnceMessage(vault: TestVault['vault']) {
  const store = new MessageStore(vault.db);
  const records = new AttachmentRecords(vault.db, vault.files);
  const content = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(3 * MIB)]);
  const writer = vault.files.createWriter();
  writer.write(content);
  const fileId = writer.commit();
  const attachmentId = records.addOutgoing(
    storeOutgoingAttachment(vault.files, await prepareOutgoingAttachment({ fileId }, vault.files)),
  );
  const conversation = store.getOrCreateConversation(CONTACT, { isContact: true });
  const { message } = store.insertIncoming({
    conversationId: conversation.id,
    sourceServiceId: CONTACT,
    sourceDevice: 1,
    sentAt: (sentAt += 1),
    body: null,
    viewOnce: true,
    attachmentIds: [attachmentId],
  });
  if (!message) throw new Error('not stored');
  return { store, records, content, fileId, attachmentId, messageId: message.id };
}

describe('view-once viewings', () => {
  it('opens once (viewed at once), reads by range, and its last piece shreds the media', async () => {
    temp = await createTestVault('carapace-view-once-');
    const { store, records, content, fileId, attachmentId, messageId } = await viewOnceMessage(temp.vault);
    const timers = manualSchedule();
    const queued: (() => void)[] = [];
    const viewings = new ViewOnceViewings(store, records, (work) => queued.push(work), timers.schedule);

    const items = viewings.open(messageId);
    expect(items).toEqual([{ attachmentId, size: content.length, blobType: 'application/octet-stream' }]);
    expect(store.getMessage(messageId)).toMatchObject({ viewed: true, attachmentIds: [] });
    expect(() => viewings.open(messageId)).toThrow(AlreadyViewedError);

    const pieces: Buffer[] = [];
    for (let offset = 0; offset < content.length; offset += MIB) {
      expect(viewings.isOpen(attachmentId)).toBe(true);
      pieces.push(viewings.readRange(attachmentId, offset, MIB).bytes);
    }
    expect(Buffer.concat(pieces).equals(content)).toBe(true);
    // The last piece ended the viewing: no more reads, no timer, the delete waits in the write queue.
    expect(viewings.isOpen(attachmentId)).toBe(false);
    expect(() => viewings.readRange(attachmentId, 0, MIB)).toThrow(NotFoundError);
    expect(timers.armed()).toBe(0);
    expect(queued).toHaveLength(1);
    queued[0]!();
    expect(records.get(attachmentId)).toBeUndefined();
    expect(temp.vault.files.has(fileId)).toBe(false);
  });

  it('a viewing nobody reads from ends after the idle time; a lock forgets it and the sweep shreds it', async () => {
    temp = await createTestVault('carapace-view-once-');
    const first = await viewOnceMessage(temp.vault);
    const timers = manualSchedule();
    const viewings = new ViewOnceViewings(first.store, first.records, (work) => work(), timers.schedule);
    viewings.open(first.messageId);
    viewings.readRange(first.attachmentId, 0, MIB); // a read restarts the idle time
    expect(timers.fire()).toBe(VIEW_ONCE_IDLE_MS);
    expect(viewings.isOpen(first.attachmentId)).toBe(false);
    expect(first.records.get(first.attachmentId)).toBeUndefined();

    const second = await viewOnceMessage(temp.vault);
    viewings.open(second.messageId);
    viewings.dispose(); // the vault locks
    expect(timers.armed()).toBe(0);
    expect(viewings.isOpen(second.attachmentId)).toBe(false);
    // Viewed, so linked to no message: the next start's sweep shreds it.
    expect(second.records.sweepUnreferenced(0)).toBe(1);
    expect(temp.vault.files.has(second.fileId)).toBe(false);
  });
});
