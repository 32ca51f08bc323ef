/**
 * Attachments and view-once through the API on the REAL demo network (mock-server over TLS; the
 * simulated contact encrypts with the mock's own attachment code, not ours): send an image, receive an
 * image and a file, read bytes for blob: URLs, save (executables need a confirmation), view-once opens
 * once and its bytes are gone afterwards; bad input is a typed error.
 */
import { randomBytes } from 'node:crypto';
import { EMPTY_DATA_MESSAGE } from '@signalapp/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoContact, type DemoNetwork } from '../demo/network.js';
import { photoWithMetadata } from '../messaging/attachments/image.test-support.js';
import type { CoreService } from './service.js';
import { openContactChat } from './test-support/contact-chat.js';
import { createTestCore, type TestCore } from './test-support/core.js';
import { nextEvent, value } from './test-support/events.js';
import type { Message } from './contract.js';
import { mockAttachment, mockCrypto } from '../messaging/attachments/mock-contact.test-support.js';

const PASS = 'attachment network passphrase 9';
const NUMBER = '+15550004411';

describe('attachments and view-once through the API (demo network)', () => {
  let network: DemoNetwork;
  let core: TestCore;
  let service: CoreService;
  let cat: DemoContact;
  let conversationId = '';
  let ourAci = '';

  /** The contact uploads with the mock's crypto and sends us the pointer; resolves when it is downloaded. */
  async function contactSends(plaintext: Buffer, extra: Record<string, unknown> = {}): Promise<Message> {
    const encrypted = mockCrypto.encryptAttachment(plaintext);
    const cdnKey = `api-${randomBytes(8).toString('hex')}`;
    await network.server.storeAttachmentOnCdn(3, cdnKey, encrypted.blob);
    const ready = nextEvent(
      service,
      'message.updated',
      (p) =>
        p.message.direction === 'in' &&
        p.message.attachments.length > 0 &&
        p.message.attachments.every((a) => a.state !== 'pending'),
    );
    const target = await cat.ensureSession(ourAci);
    await cat.device.sendRaw(target, {
      content: {
        dataMessage: {
          ...EMPTY_DATA_MESSAGE,
          body: null,
          attachments: [{ ...mockAttachment.attachmentToPointer(cdnKey, encrypted), cdnNumber: 3, ...extra }],
          timestamp: BigInt(Date.now()),
          ...('isViewOnce' in extra ? { isViewOnce: true } : {}),
        },
      },
      pniSignatureMessage: null,
      senderKeyDistributionMessage: null,
    } as never);
    return (await ready).message;
  }

  beforeAll(async () => {
    network = await startDemoNetwork();
    core = createTestCore({ networkConfig: network.config });
    service = core.service;
    ({
      ourAci,
      contact: cat,
      conversationId,
    } = await openContactChat(service, network, { passphrase: PASS, number: NUMBER, contactName: 'Cat' }));
  });

  afterAll(async () => {
    await core?.dispose();
    await network?.close();
  });

  it('sends an image with progress; our copy reads back as an inline image', async () => {
    const photo = await photoWithMetadata('png');
    const progress = nextEvent(
      service,
      'attachment.progress',
      (p) => p.direction === 'upload' && p.loaded === p.total,
    );
    const sent = await value(
      service.call('attachments.send', {
        conversationId,
        files: [{ dataBase64: photo.toString('base64'), fileName: 'cat.png' }],
        body: 'a photo',
      }),
    );
    expect(sent).toMatchObject({ direction: 'out', body: 'a photo', viewOnce: false, status: 'sent' });
    expect(sent.attachments).toHaveLength(1);
    expect(sent.attachments[0]).toMatchObject({
      state: 'ready',
      inlineImage: true,
      contentType: 'image/png',
    });
    expect((await progress).total).toBeGreaterThan(0);
    const bytes = await value(service.call('attachments.read', { attachmentId: sent.attachments[0]!.id }));
    expect(bytes).toMatchObject({ blobType: 'image/png', inlineImage: true });
    expect(Buffer.from(bytes.dataBase64, 'base64').subarray(0, 8)).toEqual(photo.subarray(0, 8));
  });

  it('receives an image and a file; an executable needs a confirmation to save', async () => {
    const photo = await photoWithMetadata('png');
    const image = await contactSends(photo, { contentType: 'image/png' });
    expect(image.attachments[0]).toMatchObject({ state: 'ready', inlineImage: true });
    const read = await value(service.call('attachments.read', { attachmentId: image.attachments[0]!.id }));
    expect(Buffer.from(read.dataBase64, 'base64')).toEqual(photo);

    const exe = Buffer.concat([Buffer.from('MZ'), randomBytes(200)]);
    const file = await contactSends(exe, { fileName: 'setup.exe', contentType: 'application/octet-stream' });
    const attachment = file.attachments[0]!;
    expect(attachment).toMatchObject({ state: 'ready', inlineImage: false, potentiallyExecutable: true });
    const read2 = await value(service.call('attachments.read', { attachmentId: attachment.id }));
    expect(read2.blobType).toBe('application/octet-stream');
    expect(await service.call('attachments.save', { attachmentId: attachment.id })).toMatchObject({
      ok: false,
      error: { code: 'CONFIRMATION_REQUIRED' },
    });
    const saved = await value(
      service.call('attachments.save', { attachmentId: attachment.id, confirmExecutable: true }),
    );
    expect(saved.fileName).toBe('setup.exe');
    expect(Buffer.from(saved.dataBase64, 'base64')).toEqual(exe);
  });

  it('view-once opens once, then its bytes are gone', async () => {
    const photo = await photoWithMetadata('png');
    const message = await contactSends(photo, { isViewOnce: true, contentType: 'image/png' });
    expect(message).toMatchObject({ viewOnce: true, viewed: false });
    const attachmentId = message.attachments[0]!.id;
    // Not through the ordinary read path.
    expect((await service.call('attachments.read', { attachmentId })).ok).toBe(false);
    const updated = nextEvent(
      service,
      'message.updated',
      (p) => p.message.id === message.id && p.message.viewed,
    );
    const opened = await value(service.call('messages.viewOnce', { messageId: message.id }));
    expect(opened.items).toHaveLength(1);
    expect(Buffer.from(opened.items[0]!.dataBase64, 'base64')).toEqual(photo);
    expect((await updated).message.attachments).toEqual([]);
    expect(await service.call('messages.viewOnce', { messageId: message.id })).toMatchObject({
      ok: false,
      error: { code: 'ALREADY_VIEWED' },
    });
    expect((await service.call('attachments.read', { attachmentId })).ok).toBe(false);
  });

  it('refuses bad input with typed errors', async () => {
    expect(
      await service.call('attachments.send', { conversationId, files: [{ dataBase64: 'not base64!' }] }),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const two = { dataBase64: Buffer.from('x').toString('base64') };
    expect(
      await service.call('attachments.send', { conversationId, files: [two, two], viewOnce: true }),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await service.call('attachments.send', { conversationId, files: [] })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    // More than one staging chunk inline: a big file is staged, never sent whole in one command.
    const big = { dataBase64: Buffer.alloc(1024 * 1024 + 1024).toString('base64') };
    expect(await service.call('attachments.send', { conversationId, files: [big] })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await service.call('attachments.read', { attachmentId: 'nope' })).toMatchObject({ ok: false });
  });
});
