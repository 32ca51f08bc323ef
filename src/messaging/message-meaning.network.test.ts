/**
 * Issue 14 end to end on the demo network (real mock server, vault, libsignal; the contact's messages are
 * encoded and encrypted by the mock server's simulated phone, not by us): replies, reactions, delete for
 * everyone (erased: a decrypted-copy scan finds no marker), edits, timers set by the contact with Signal's
 * timer versions, reading state — both directions, with the hostile cases of the issue.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { onceShredded } from '../test-support/files.js';
import type { DemoContact } from '../demo/network.js';
import type { MessagingClient } from './client.js';
import { mockAttachment, mockCrypto } from './attachments/mock-contact.test-support.js';
import type { Message } from './store.js';
import { contactEdits, contactSendsData, plaintextVaultDb } from './test-support/contact-changes.js';
import { createHarness, type Harness } from './test-support/harness.js';

const HOUR = 3_600_000;
const marker = (what: string): string => `${what}-MARKER-${randomBytes(6).toString('hex')}`;

describe('what messages mean (issue 14, demo network)', () => {
  let h: Harness;
  let client: MessagingClient;
  let cdnDir: string;
  let now = Date.now();
  const clock = (): number => now;

  beforeAll(async () => {
    cdnDir = mkdtempSync(join(tmpdir(), 'carapace-meaning-cdn-'));
    h = await createHarness({ cdnDir });
    client = await h.startClient({ clock });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(cdnDir, { recursive: true, force: true });
  });

  /** A contact with sessions both ways and a chat; returns it and the chat id. */
  async function chatWith(name: string): Promise<{ contact: DemoContact; conversationId: string }> {
    const contact = await h.contact(name);
    await h.sendFromContact(contact, `hello from ${name}`).acked;
    const conversationId = client.store.findConversationByServiceId(contact.aci)!.id;
    return { contact, conversationId };
  }

  function bySentAt(conversationId: string, sentAt: number): Message | undefined {
    return client.store.page(conversationId, { limit: 500 }).messages.find((m) => m.sentAt === sentAt);
  }

  /** Sends from us and waits for the contact to have it (so its session answers). */
  async function weSend(contact: DemoContact, conversationId: string, body: string): Promise<Message> {
    const sent = await client.sendText(conversationId, body);
    expect((await contact.device.waitForMessage()).body).toBe(body);
    return sent;
  }

  it('reactions: received (one per person: replaced, removed), sent, and hostile ones ignored', async () => {
    const { contact, conversationId } = await chatWith('Ria');
    const ours = await weSend(contact, conversationId, 'react to me');
    const theirs = await contactSendsData(h, contact, { body: 'and to me' });
    const react = (fields: Record<string, unknown>): Promise<number> =>
      contactSendsData(h, contact, { reaction: { remove: false, ...fields } });

    await react({ emoji: '👍', targetAuthorAci: h.account.aci, targetSentTimestamp: BigInt(ours.sentAt) });
    expect(client.store.getMessage(ours.id)?.reactions).toMatchObject([
      { emoji: '👍', fromYou: false, reactorServiceId: contact.aci },
    ]);
    await react({ emoji: '❤️', targetAuthorAci: h.account.aci, targetSentTimestamp: BigInt(ours.sentAt) });
    expect(client.store.getMessage(ours.id)?.reactions.map((r) => r.emoji)).toEqual(['❤️']);
    // A flood of reactions from one person: still one row.
    for (const emoji of ['😂', '😮', '😢', '🙏', '🔥']) {
      await react({ emoji, targetAuthorAci: h.account.aci, targetSentTimestamp: BigInt(ours.sentAt) });
    }
    expect(client.store.getMessage(ours.id)?.reactions).toHaveLength(1);
    await react({
      emoji: '🔥',
      remove: true,
      targetAuthorAci: h.account.aci,
      targetSentTimestamp: BigInt(ours.sentAt),
    });
    expect(client.store.getMessage(ours.id)?.reactions).toEqual([]);

    // Hostile: a message we never had, a third person's message, not an emoji — nothing changes.
    const stranger = await h.contact('Stranger');
    await react({ emoji: '👍', targetAuthorAci: contact.aci, targetSentTimestamp: BigInt(theirs + 999) });
    await react({ emoji: '👍', targetAuthorAci: stranger.aci, targetSentTimestamp: BigInt(theirs) });
    await react({ emoji: 'lol', targetAuthorAci: contact.aci, targetSentTimestamp: BigInt(theirs) });
    expect(bySentAt(conversationId, theirs)?.reactions).toEqual([]);

    // Sent: the contact's phone reads a Signal reaction to its message.
    const target = bySentAt(conversationId, theirs)!;
    const reacted = await client.react(target.id, '🎉');
    expect(reacted.reactions).toMatchObject([{ emoji: '🎉', fromYou: true }]);
    const got = await contact.device.waitForMessage();
    expect(got.dataMessage.reaction).toMatchObject({
      emoji: '🎉',
      targetAuthorAci: contact.aci,
      targetSentTimestamp: BigInt(theirs),
    });
    const removed = await client.react(target.id, '🎉', true);
    expect(removed.reactions).toEqual([]);
    expect((await contact.device.waitForMessage()).dataMessage.reaction?.remove).toBe(true);
  });

  it('delete for everyone, received: erased from the vault (marker scan), a tombstone stays; hostile deletes ignored', async () => {
    const { contact, conversationId } = await chatWith('Dax');
    const secret = marker('DELETED');
    const sentAt = await contactSendsData(h, contact, { body: secret });
    await contactSendsData(h, contact, {
      body: 'a reply that quotes it',
      quote: { id: BigInt(sentAt), authorAci: contact.aci, text: secret, attachments: [], bodyRanges: [] },
    });
    expect((await plaintextVaultDb(h)).includes(Buffer.from(secret))).toBe(true);

    await contactSendsData(h, contact, { delete: { targetSentTimestamp: BigInt(sentAt) } });
    const tombstone = bySentAt(conversationId, sentAt)!;
    expect(tombstone).toMatchObject({ deleted: true, body: null, attachmentIds: [], quote: null });
    const reply = client.store.page(conversationId).messages.find((m) => m.quote?.sentAt === sentAt)!;
    expect(reply.quote?.foundId).toBeNull(); // the original is gone: "original not found"
    // The reply's own quote excerpt is the sender's text: a delete removes the original, as in Signal.
    await contactSendsData(h, contact, { delete: { targetSentTimestamp: BigInt(reply.sentAt) } });
    expect((await plaintextVaultDb(h)).includes(Buffer.from(secret))).toBe(false);

    // Hostile: deleting OUR message, a message older than 24 hours, one we never had — nothing changes.
    const ours = await weSend(contact, conversationId, 'mine to keep');
    await contactSendsData(h, contact, { delete: { targetSentTimestamp: BigInt(ours.sentAt) } });
    expect(client.store.getMessage(ours.id)).toMatchObject({ deleted: false, body: 'mine to keep' });
    const old = await contactSendsData(h, contact, { body: 'old news' }, Date.now() - 25 * HOUR);
    await contactSendsData(h, contact, { delete: { targetSentTimestamp: BigInt(old) } });
    expect(bySentAt(conversationId, old)).toMatchObject({ deleted: false, body: 'old news' });
  });

  it('delete for everyone erases the attachments too: rows gone, files shredded, the marker nowhere', async () => {
    const { contact, conversationId } = await chatWith('Att');
    const secret = marker('ATTACHMENT-DELETE');
    const encrypted = mockCrypto.encryptAttachment(
      Buffer.concat([Buffer.from(`%PDF-1.4\n${secret}`), randomBytes(2000)]),
    );
    const cdnKey = `del-${randomBytes(8).toString('hex')}`;
    await h.network.server.storeAttachmentOnCdn(3, cdnKey, encrypted.blob);
    const sentAt = await contactSendsData(h, contact, {
      body: secret,
      attachments: [{ ...mockAttachment.attachmentToPointer(cdnKey, encrypted), cdnNumber: 3 }],
    });
    const message = bySentAt(conversationId, sentAt)!;
    const attachmentId = message.attachmentIds[0]!;
    await client.downloadAll(message.id, [attachmentId]);
    expect(client.attachmentInfo(attachmentId)?.state).toBe('ready');
    const files = (): number => readdirSync(join(h.profileDir, 'files')).length;
    const before = files();

    await contactSendsData(h, contact, { delete: { targetSentTimestamp: BigInt(sentAt) } });
    await Promise.resolve(); // the file store shreds once the receive transaction committed
    expect(bySentAt(conversationId, sentAt)).toMatchObject({ deleted: true, body: null, attachmentIds: [] });
    expect(client.attachmentInfo(attachmentId)).toBeUndefined();
    await onceShredded(() => expect(files()).toBe(before - 1));
    expect((await plaintextVaultDb(h)).includes(Buffer.from(secret))).toBe(false);
  });

  it('a delete that arrives before its message: the message never shows', async () => {
    const { contact, conversationId } = await chatWith('Oli');
    const secret = marker('EARLY-DELETE');
    const sentAt = Date.now() - 5_000;
    await contactSendsData(h, contact, { delete: { targetSentTimestamp: BigInt(sentAt) } });
    await contactSendsData(h, contact, { body: secret }, sentAt);
    expect(bySentAt(conversationId, sentAt)).toMatchObject({ deleted: true, body: null, read: true });
    expect(client.store.getConversation(conversationId)?.unreadCount).toBe(1); // only the hello
    expect((await plaintextVaultDb(h)).includes(Buffer.from(secret))).toBe(false);
  });

  it('delete for everyone, sent: the contact gets Signal’s delete; too late or not ours is refused', async () => {
    const { contact, conversationId } = await chatWith('Eve');
    const secret = marker('OUR-DELETE');
    const ours = await weSend(contact, conversationId, secret);
    const tombstone = await client.deleteForEveryone(ours.id);
    expect(tombstone).toMatchObject({ deleted: true, body: null });
    expect((await contact.device.waitForMessage()).dataMessage.delete?.targetSentTimestamp).toBe(
      BigInt(ours.sentAt),
    );
    expect((await plaintextVaultDb(h)).includes(Buffer.from(secret))).toBe(false);

    const theirs = bySentAt(conversationId, client.store.page(conversationId).messages.at(-1)!.sentAt)!;
    await expect(client.deleteForEveryone(theirs.id)).rejects.toMatchObject({ code: 'PRECONDITION' });
    const late = await weSend(contact, conversationId, 'too late to take back');
    now += 25 * HOUR;
    try {
      await expect(client.deleteForEveryone(late.id)).rejects.toThrow(/too late/);
      await expect(client.edit(late.id, 'x')).rejects.toThrow(/too late/);
    } finally {
      now -= 25 * HOUR;
    }
    await expect(client.deleteForEveryone('no-such-id')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // Delete for me: gone from this device, shredded the same way.
    const local = marker('DELETE-FOR-ME');
    const gone = await weSend(contact, conversationId, local);
    await client.deleteForMe(gone.id);
    expect(client.store.getMessage(gone.id)).toBeUndefined();
    expect((await plaintextVaultDb(h)).includes(Buffer.from(local))).toBe(false);
  });

  it('edits: received (latest text only, "edited"), sent, and hostile edits refused', async () => {
    const { contact, conversationId } = await chatWith('Edi');
    const first = marker('BEFORE-EDIT');
    const sentAt = await contactSendsData(h, contact, { body: first });
    await contactEdits(h, contact, sentAt, { body: 'after the edit' });
    const edited = bySentAt(conversationId, sentAt)!;
    expect(edited).toMatchObject({ body: 'after the edit', editCount: 1 });
    expect(edited.editedAt).not.toBeNull();
    expect((await plaintextVaultDb(h)).includes(Buffer.from(first))).toBe(false); // no history kept

    // Hostile: editing OUR message, adding an attachment, editing a view-once, the 11th edit.
    const ours = await weSend(contact, conversationId, 'ours, unedited');
    await contactEdits(h, contact, ours.sentAt, { body: 'hijacked' });
    expect(client.store.getMessage(ours.id)?.body).toBe('ours, unedited');
    await contactEdits(h, contact, sentAt, {
      body: 'with a file',
      attachments: [{ attachmentIdentifier: { cdnKey: 'x' }, cdnNumber: 3, key: new Uint8Array(64) }],
    });
    expect(bySentAt(conversationId, sentAt)?.body).toBe('after the edit');
    for (let i = 2; i <= 11; i += 1) {
      await contactEdits(h, contact, sentAt, { body: `edit ${i}` }, Date.now() + i);
    }
    expect(bySentAt(conversationId, sentAt)).toMatchObject({ body: 'edit 10', editCount: 10 });

    // Sent: Signal's EditMessage to the original timestamp.
    const mine = await weSend(contact, conversationId, 'typo hree');
    const fixed = await client.edit(mine.id, 'typo here');
    expect(fixed).toMatchObject({ body: 'typo here', editCount: 1 });
    const got = await contact.device.waitForEditMessage();
    expect(got.editMessage.targetSentTimestamp).toBe(BigInt(mine.sentAt));
    expect(got.editMessage.dataMessage?.body).toBe('typo here');
    await expect(client.edit(edited.id, 'not mine')).rejects.toMatchObject({ code: 'PRECONDITION' });
  });

  it('quotes: a received reply finds our original; a quote of something we never had is "not found"; replies sent as Signal quotes', async () => {
    const { contact, conversationId } = await chatWith('Quin');
    const ours = await weSend(contact, conversationId, 'quote me');
    await contactSendsData(h, contact, {
      body: 'quoting you',
      quote: {
        id: BigInt(ours.sentAt),
        authorAci: h.account.aci,
        text: 'quote me',
        attachments: [],
        bodyRanges: [],
      },
    });
    await contactSendsData(h, contact, {
      body: 'quoting the void',
      quote: { id: 12345n, authorAci: contact.aci, text: 'lost', attachments: [], bodyRanges: [] },
    });
    const page = client.store.page(conversationId).messages;
    expect(page.find((m) => m.body === 'quoting you')?.quote).toMatchObject({
      authorIsYou: true,
      foundId: ours.id,
      text: 'quote me',
    });
    expect(page.find((m) => m.body === 'quoting the void')?.quote).toMatchObject({
      authorIsYou: false,
      foundId: null,
    });

    const theirs = page.find((m) => m.body === 'quoting you')!;
    const reply = await client.sendText(conversationId, 'my answer', undefined, theirs.id);
    expect(reply.quote).toMatchObject({ foundId: theirs.id, authorIsYou: false, text: 'quoting you' });
    const got = await contact.device.waitForMessage();
    expect(got.dataMessage.quote).toMatchObject({
      id: BigInt(theirs.sentAt),
      authorAci: contact.aci,
      text: 'quoting you',
    });
  });

  it('timers set by the contact: Signal’s versions apply, the timeline says who set what, their messages are tagged', async () => {
    const { contact, conversationId } = await chatWith('Tim');
    await contactSendsData(h, contact, { flags: 2, expireTimer: 300, expireTimerVersion: 2 });
    const chat = client.store.getConversation(conversationId)!;
    expect(chat).toMatchObject({ expireTimerSeconds: 300, expireTimerVersion: 2 });
    // A stale change (lower version) does not override; a message without a timer is still tagged.
    await contactSendsData(h, contact, { flags: 2, expireTimer: 0, expireTimerVersion: 1 });
    const untagged = await contactSendsData(h, contact, { body: 'from an old client, no timer' });
    expect(client.store.getConversation(conversationId)?.expireTimerSeconds).toBe(300);
    expect(bySentAt(conversationId, untagged)?.expireTimerSeconds).toBe(300);
    const events = client.store
      .page(conversationId)
      .messages.filter((m) => m.eventType === 'timer-changed')
      .map((m) => m.eventData);
    expect(events).toEqual([{ seconds: 300, byThem: true }]);

    // Ours takes the next version and goes out with it.
    await client.setExpireTimer(conversationId, 3600);
    let update = await contact.device.waitForMessage();
    while (!((update.dataMessage.flags ?? 0) & 2)) update = await contact.device.waitForMessage();
    expect(update.dataMessage).toMatchObject({ expireTimer: 3600, expireTimerVersion: 3 });
  });

  it('the demo Echo honours the chat’s timer: its reply carries the timer and version it received', async () => {
    const echo = await h.contact('Echo', { echo: true });
    const chat = client.conversation(echo.aci);
    await client.setExpireTimer(chat.id, 300);
    const sendRaw = vi.spyOn(echo.device, 'sendRaw');
    await client.sendText(chat.id, 'in a 5-minute chat');
    await vi.waitFor(() => expect(sendRaw).toHaveBeenCalled(), { timeout: 10_000 });
    const reply = sendRaw.mock.calls[0]![1] as { content: { dataMessage: Record<string, unknown> } };
    expect(reply.content.dataMessage).toMatchObject({
      body: 'Echo: in a 5-minute chat',
      expireTimer: 300,
      expireTimerVersion: 1,
    });
    await vi.waitFor(() =>
      expect(client.store.page(chat.id).messages.find((m) => m.body?.startsWith('Echo:'))).toMatchObject({
        expireTimerSeconds: 300,
      }),
    );
  });

  it('reading state: what arrives in the visible chat is read at once (receipt sent, nothing unread); mark unread', async () => {
    const { contact, conversationId } = await chatWith('Vis');
    await client.setVisible(conversationId);
    expect(client.store.getConversation(conversationId)?.unreadCount).toBe(0);
    const sentAt = await contactSendsData(h, contact, { body: 'seen at once' });
    expect(bySentAt(conversationId, sentAt)?.read).toBe(true);
    expect(client.store.getConversation(conversationId)?.unreadCount).toBe(0);
    // The read receipt for it (after the one setVisible sent for the hello).
    const isReadOf = (r: {
      receiptMessage: { type?: number | null; timestamp?: bigint[] | null };
    }): boolean => r.receiptMessage.type === 1 && (r.receiptMessage.timestamp ?? []).includes(BigInt(sentAt));
    let receipt = await contact.device.waitForReceipt();
    while (!isReadOf(receipt)) receipt = await contact.device.waitForReceipt();

    await client.setVisible(null);
    await contactSendsData(h, contact, { body: 'not on screen' });
    expect(client.store.getConversation(conversationId)?.unreadCount).toBe(1);
    await client.markRead(conversationId);
    await client.markUnread(conversationId);
    expect(client.store.getConversation(conversationId)?.markedUnread).toBe(true);
    await client.markRead(conversationId);
    expect(client.store.getConversation(conversationId)?.markedUnread).toBe(false);
  });

  it('reactions, edits and tombstones survive a restart (lock, unlock, start)', async () => {
    const { contact, conversationId } = await chatWith('Per');
    const sentAt = await contactSendsData(h, contact, { body: 'persist me' });
    await contactEdits(h, contact, sentAt, { body: 'persisted edit' });
    const target = bySentAt(conversationId, sentAt)!;
    await client.react(target.id, '👍');
    await contact.device.waitForMessage();
    const gone = await contactSendsData(h, contact, { body: 'to be deleted' });
    await contactSendsData(h, contact, { delete: { targetSentTimestamp: BigInt(gone) } });

    await client.stop();
    h.vault.lock('user');
    await h.reopenVault();
    client = await h.startClient({ clock });
    expect(client.store.getMessage(target.id)).toMatchObject({
      body: 'persisted edit',
      editCount: 1,
      reactions: [{ emoji: '👍', fromYou: true }],
    });
    expect(bySentAt(conversationId, gone)).toMatchObject({ deleted: true, body: null });
  });
});
