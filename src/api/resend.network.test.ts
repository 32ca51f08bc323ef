/**
 * "Send again" (`messages.resend`) on the REAL demo network (mock-server over TLS): a reply that failed
 * while the server refused the contact (unregistered, 404) goes out with its quote once they are back, and
 * a file whose upload the user cancelled is uploaded again from our stored copy — each under its first
 * timestamp, and the contact gets exactly one copy. What may not be resent is refused with a sentence.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoContact, type DemoNetwork } from '../demo/network.js';
import { contactDecrypt } from '../messaging/attachments/mock-contact.test-support.js';
import { metadataMarkers, photoWithMetadata } from '../messaging/attachments/image.test-support.js';
import type { CoreService } from './service.js';
import type { Message } from './contract.js';
import { openContactChat } from './test-support/contact-chat.js';
import { createTestCore, type TestCore } from './test-support/core.js';
import { nextEvent, value } from './test-support/events.js';
import { stageFile } from './test-support/stage-file.js';

const PASS = 'resend passphrase 12';
const NUMBER = '+15550001212';
/** Large enough that the upload still runs when its first progress event asks to cancel it. */
const LARGE = 40 * 1024 * 1024;

describe('sending a failed message again (demo network)', () => {
  let network: DemoNetwork;
  let core: TestCore;
  let service: CoreService;
  let cat: DemoContact;
  let conversationId = '';
  let cdnDir = '';

  /** While the server answers 404 for the contact (as for a number that left Signal), sends fail. */
  const contactGone = (): void => network.server.unregister(cat.device);
  const contactBack = (): void => network.server.register(cat.device);

  /** Calls attachments.cancel on the first upload progress. */
  function cancelFirstUpload(): Promise<unknown> {
    return new Promise((resolve) => {
      const off = service.onEvent((name, payload) => {
        const event = payload as { attachmentId: string; direction: string; loaded: number };
        if (name !== 'attachment.progress' || event.direction !== 'upload' || event.loaded === 0) return;
        off();
        resolve(service.call('attachments.cancel', { attachmentId: event.attachmentId }));
      });
    });
  }

  async function stored(messageId: string): Promise<Message> {
    const page = await value(service.call('messages.page', { conversationId }));
    const message = page.messages.find((m) => m.id === messageId);
    if (!message) throw new Error('message not in the first page');
    return message;
  }

  beforeAll(async () => {
    cdnDir = mkdtempSync(join(tmpdir(), 'carapace-resend-cdn-'));
    network = await startDemoNetwork({ cdnDir });
    core = createTestCore({ networkConfig: network.config });
    service = core.service;
    ({ contact: cat, conversationId } = await openContactChat(service, network, {
      passphrase: PASS,
      number: NUMBER,
      contactName: 'Cat',
    }));
  }, 60_000);

  afterAll(async () => {
    await core?.dispose();
    await network?.close();
    if (cdnDir) rmSync(cdnDir, { recursive: true, force: true });
  });

  it('a reply that failed goes out again with its quote and first timestamp; the contact gets one copy', async () => {
    const original = await value(service.call('messages.send', { conversationId, body: 'first words' }));
    expect((await cat.device.waitForMessage()).body).toBe('first words');

    contactGone();
    const failedSend = await service.call('messages.send', {
      conversationId,
      body: 'a reply that waits',
      replyTo: original.id,
    });
    expect(failedSend).toMatchObject({ ok: false, error: { code: 'RECIPIENT_NOT_REGISTERED' } });
    const failed = (await value(service.call('messages.page', { conversationId }))).messages.find(
      (m) => m.body === 'a reply that waits',
    );
    expect(failed).toMatchObject({ direction: 'out', status: 'failed' });
    // The error names the stored message, so the UI offers "Send again" instead of keeping the text.
    expect(failedSend.ok ? null : failedSend.error.failedMessageId).toBe(failed!.id);

    // Still refused: the resend fails the same way and the message stays failed, ready for another try.
    expect(await service.call('messages.resend', { messageId: failed!.id })).toMatchObject({
      ok: false,
      error: { code: 'RECIPIENT_NOT_REGISTERED', failedMessageId: failed!.id },
    });
    expect((await stored(failed!.id)).status).toBe('failed');

    contactBack();
    const resent = await value(service.call('messages.resend', { messageId: failed!.id }));
    expect(resent).toMatchObject({ id: failed!.id, status: 'sent', sentAt: failed!.sentAt });
    const entry = await cat.device.waitForMessage();
    expect(entry.body).toBe('a reply that waits');
    expect(Number(entry.dataMessage.timestamp)).toBe(failed!.sentAt);
    expect(entry.dataMessage.quote).toMatchObject({ text: 'first words' });
    expect(Number(entry.dataMessage.quote!.id)).toBe(original.sentAt);

    // Only one copy reached the contact: the next thing it receives is the next message.
    await value(service.call('messages.send', { conversationId, body: 'after the resend' }));
    expect((await cat.device.waitForMessage()).body).toBe('after the resend');
  }, 90_000);

  it('a file whose upload the user cancelled is uploaded again from our stored copy', async () => {
    const bytes = randomBytes(LARGE);
    const stageId = await stageFile(service, bytes);
    const cancelled = cancelFirstUpload();
    const failedSend = await service.call('attachments.send', {
      conversationId,
      files: [{ stageId, fileName: 'notes.bin' }],
      body: 'the file',
    });
    expect(await cancelled).toEqual({ ok: true, value: { cancelled: true } });
    expect(failedSend).toMatchObject({ ok: false, error: { code: 'NETWORK' } });
    const failed = (await value(service.call('messages.page', { conversationId }))).messages.find(
      (m) => m.body === 'the file',
    )!;
    expect(failed.status).toBe('failed');

    const progress = nextEvent(
      service,
      'attachment.progress',
      (p) => p.messageId === failed.id && p.direction === 'upload' && p.loaded === p.total,
    );
    const resent = await value(service.call('messages.resend', { messageId: failed.id }));
    expect(resent).toMatchObject({ status: 'sent', sentAt: failed.sentAt });
    await progress;
    const entry = await cat.device.waitForMessage();
    expect(entry.body).toBe('the file');
    const pointer = entry.dataMessage.attachments[0]!;
    expect(pointer.fileName).toBe('notes.bin');
    const blob = readFileSync(join(cdnDir, 'attachments', pointer.attachmentIdentifier!.cdnKey!));
    expect(contactDecrypt(blob, pointer.key!, pointer.digest!, pointer.size!).equals(bytes)).toBe(true);
  }, 90_000);

  it('a link preview goes again with its image; a view-once file goes again and our copy then goes', async () => {
    const url = 'https://example.org/story';
    const photo = await photoWithMetadata('jpeg');
    contactGone();
    const failedPreview = await service.call('messages.send', {
      conversationId,
      body: `see ${url}`,
      preview: { url, title: 'A story', imageBase64: photo.toString('base64') },
    });
    contactBack();
    expect(failedPreview).toMatchObject({ ok: false, error: { code: 'RECIPIENT_NOT_REGISTERED' } });
    const withPreview = (await value(service.call('messages.page', { conversationId }))).messages[0]!;
    expect(withPreview).toMatchObject({ body: `see ${url}`, status: 'failed' });
    expect((await value(service.call('messages.resend', { messageId: withPreview.id }))).status).toBe('sent');
    const entry = await cat.device.waitForMessage();
    expect(entry.dataMessage.preview[0]).toMatchObject({ url, title: 'A story' });
    const image = entry.dataMessage.preview[0]!.image!;
    const blob = readFileSync(join(cdnDir, 'attachments', image.attachmentIdentifier!.cdnKey!));
    const decrypted = contactDecrypt(blob, image.key!, image.digest!, image.size!);
    expect(decrypted.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(metadataMarkers(decrypted)).toEqual([]);

    const cancelled = cancelFirstUpload();
    const failedOnce = await service.call('attachments.send', {
      conversationId,
      files: [{ stageId: await stageFile(service, randomBytes(LARGE)), fileName: 'once.bin' }],
      viewOnce: true,
    });
    expect(await cancelled).toMatchObject({ ok: true });
    expect(failedOnce).toMatchObject({ ok: false });
    const once = (await value(service.call('messages.page', { conversationId }))).messages[0]!;
    expect(once).toMatchObject({ viewOnce: true, status: 'failed' });
    const resent = await value(service.call('messages.resend', { messageId: once.id }));
    expect(resent).toMatchObject({ status: 'sent', viewOnce: true, viewed: true });
    expect((await cat.device.waitForMessage()).dataMessage.isViewOnce).toBe(true);
    expect(
      await service.call('attachments.readRange', {
        attachmentId: once.attachments[0]!.id,
        offset: 0,
        length: 16,
      }),
    ).toMatchObject({ ok: false });
  }, 90_000);

  it('refuses what cannot be sent again, with a sentence', async () => {
    const sent = await value(service.call('messages.send', { conversationId, body: 'went fine' }));
    await cat.device.waitForMessage();
    const notFailed = await service.call('messages.resend', { messageId: sent.id });
    expect(notFailed).toMatchObject({ ok: false, error: { code: 'PRECONDITION' } });
    if (!notFailed.ok) expect(notFailed.error.message).toMatch(/did not fail/);

    const incoming = (await value(service.call('messages.page', { conversationId }))).messages.find(
      (m) => m.direction === 'in',
    )!;
    expect(await service.call('messages.resend', { messageId: incoming.id })).toMatchObject({
      ok: false,
      error: { code: 'PRECONDITION' },
    });
    expect(await service.call('messages.resend', { messageId: 'no-such-message' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('a second "Send again" while the first runs is refused; one copy goes', async () => {
    contactGone();
    await service.call('messages.send', { conversationId, body: 'twice pressed' });
    contactBack();
    const failed = (await value(service.call('messages.page', { conversationId }))).messages.find(
      (m) => m.body === 'twice pressed',
    )!;
    expect(failed.status).toBe('failed');
    const [first, second] = await Promise.all([
      service.call('messages.resend', { messageId: failed.id }),
      service.call('messages.resend', { messageId: failed.id }),
    ]);
    const results = [first, second];
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)[0]).toMatchObject({ ok: false, error: { code: 'PRECONDITION' } });
    expect((await cat.device.waitForMessage()).body).toBe('twice pressed');
    await value(service.call('messages.send', { conversationId, body: 'and then' }));
    expect((await cat.device.waitForMessage()).body).toBe('and then');
  }, 90_000);
});
