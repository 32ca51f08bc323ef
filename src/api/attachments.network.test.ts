/**
 * Attachments and view-once through the API on the REAL demo network (mock-server over TLS; the
 * simulated contact encrypts with the mock's own attachment code, not ours): send an image, receive an
 * image and a file, read bytes for blob: URLs (a large file only by range), save to disk through the
 * platform's dialog (executables need a confirmation; a failed save leaves nothing), view-once opens once
 * and its bytes are gone afterwards; bad input is a typed error.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY_DATA_MESSAGE } from '@signalapp/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoContact, type DemoNetwork } from '../demo/network.js';
import { wavTone } from '../messaging/attachments/audio.test-support.js';
import { photoWithMetadata } from '../messaging/attachments/image.test-support.js';
import type { CoreService } from './service.js';
import { openContactChat } from './test-support/contact-chat.js';
import { createTestCore, type TestCore } from './test-support/core.js';
import { nextEvent, value } from './test-support/events.js';
import { readAttachment } from './test-support/read-attachment.js';
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
  /** Where the platform's save dialog "chooses" to save (undefined: the user cancels it), and what it suggested. */
  let saveTo: string | undefined;
  /** What happens while the save dialog is open (the user locks the app…). */
  let whileDialogOpen: (() => Promise<void>) | undefined;
  const suggested: string[] = [];
  let downloads = '';

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
    downloads = mkdtempSync(join(tmpdir(), 'carapace-saved-'));
    core = createTestCore({
      networkConfig: network.config,
      pickFiles: () => Promise.resolve([]),
      chooseSavePath: async (name) => {
        suggested.push(name);
        await whileDialogOpen?.();
        return saveTo;
      },
    });
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
    if (downloads) rmSync(downloads, { recursive: true, force: true });
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
    // Not saved, and no dialog shown, before the user confirmed.
    saveTo = join(downloads, 'setup.exe');
    expect(await service.call('attachments.saveToDisk', { attachmentId: attachment.id })).toMatchObject({
      ok: false,
      error: { code: 'CONFIRMATION_REQUIRED' },
    });
    expect(suggested).toEqual([]);
    // Confirmed, but the dialog cancelled: nothing written.
    saveTo = undefined;
    expect(
      await value(
        service.call('attachments.saveToDisk', { attachmentId: attachment.id, confirmExecutable: true }),
      ),
    ).toEqual({ saved: false });
    expect(readdirSync(downloads)).toEqual([]);
    saveTo = join(downloads, 'setup.exe');
    expect(
      await value(
        service.call('attachments.saveToDisk', { attachmentId: attachment.id, confirmExecutable: true }),
      ),
    ).toEqual({ saved: true });
    expect(suggested).toEqual(['setup.exe', 'setup.exe']);
    expect(readFileSync(saveTo)).toEqual(exe);
    if (process.platform !== 'win32') expect(statSync(saveTo).mode & 0o777).toBe(0o600);
    expect(readdirSync(downloads)).toEqual(['setup.exe']); // no temp file left beside it
  });

  it('a voice note is playable audio: its type comes from its bytes, and its range reads carry it', async () => {
    const note = wavTone(0.5);
    const message = await contactSends(note, {
      fileName: 'voice note',
      contentType: 'application/octet-stream',
    });
    expect(message.attachments[0]).toMatchObject({
      contentType: 'audio/wav',
      media: 'audio',
      inlineImage: false,
    });
    const range = await value(
      service.call('attachments.readRange', {
        attachmentId: message.attachments[0]!.id,
        offset: 0,
        length: 64,
      }),
    );
    expect(range).toMatchObject({ blobType: 'audio/wav', size: note.length });
  });

  it('a file over 1 MiB is never handed over whole: read by range, saved piece by piece', async () => {
    const video = Buffer.concat([Buffer.from('RIFF'), randomBytes(3 * 1024 * 1024 + 4321)]);
    const message = await contactSends(video, {
      fileName: 'clip.mov',
      contentType: 'video/quicktime',
    });
    const attachmentId = message.attachments[0]!.id;
    expect(await service.call('attachments.read', { attachmentId })).toMatchObject({
      ok: false,
      error: { code: 'PRECONDITION' },
    });
    expect((await readAttachment(service, attachmentId)).equals(video)).toBe(true);

    const folder = mkdtempSync(join(downloads, 'big-'));
    saveTo = join(folder, 'clip.mov');
    expect(await value(service.call('attachments.saveToDisk', { attachmentId }))).toEqual({ saved: true });
    expect(readFileSync(saveTo).equals(video)).toBe(true);

    // A place that cannot be written: a typed error, and nothing left behind anywhere.
    saveTo = join(folder, 'no-such-folder', 'clip.mov');
    expect(await service.call('attachments.saveToDisk', { attachmentId })).toMatchObject({
      ok: false,
      error: { code: 'SAVE_FAILED' },
    });
    expect(existsSync(join(folder, 'no-such-folder'))).toBe(false);
    expect(readdirSync(folder)).toEqual(['clip.mov']);
  });

  it('view-once opens once and is read only by range while it is viewed; then its bytes are gone', async () => {
    // Over 1 MiB, so it is read in pieces (a view-once video may be 100 MiB: never one message).
    const clip = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), randomBytes(3 << 20)]);
    const message = await contactSends(clip, { isViewOnce: true, contentType: 'video/mp4' });
    expect(message).toMatchObject({ viewOnce: true, viewed: false });
    const attachmentId = message.attachments[0]!.id;
    // Not through any ordinary read path: not whole, not by range, not saved to disk (none marks it viewed).
    const refused = { ok: false, error: { code: 'PRECONDITION' } };
    expect(await service.call('attachments.read', { attachmentId })).toMatchObject(refused);
    expect(
      await service.call('attachments.readRange', { attachmentId, offset: 0, length: 1024 }),
    ).toMatchObject(refused);
    saveTo = join(mkdtempSync(join(downloads, 'once-')), 'clip.mp4');
    expect(await service.call('attachments.saveToDisk', { attachmentId })).toMatchObject(refused);
    expect(existsSync(saveTo)).toBe(false);

    const updated = nextEvent(
      service,
      'message.updated',
      (p) => p.message.id === message.id && p.message.viewed,
    );
    const opened = await value(service.call('messages.viewOnce', { messageId: message.id }));
    // Viewed at once; the answer holds no bytes.
    expect(opened.items).toEqual([{ attachmentId, size: clip.length, blobType: 'video/mp4' }]);
    expect((await updated).message.attachments).toEqual([]);
    expect(await service.call('messages.viewOnce', { messageId: message.id })).toMatchObject({
      ok: false,
      error: { code: 'ALREADY_VIEWED' },
    });
    // While it is viewed: by range only — no whole read, no save.
    const gone = { ok: false, error: { code: 'NOT_FOUND' } };
    expect(await service.call('attachments.read', { attachmentId })).toMatchObject(gone);
    expect(await service.call('attachments.saveToDisk', { attachmentId })).toMatchObject(gone);
    expect(existsSync(saveTo)).toBe(false);
    expect((await readAttachment(service, attachmentId)).equals(clip)).toBe(true);
    // Its last piece ended the viewing: nothing reads it any more.
    expect(
      await service.call('attachments.readRange', { attachmentId, offset: 0, length: 1024 }),
    ).toMatchObject(gone);
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

  it('a lock while the save dialog is open saves nothing, even when the app is unlocked again at once', async () => {
    const file = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(4096)]);
    const message = await contactSends(file, { fileName: 'notes.pdf', contentType: 'application/pdf' });
    const attachmentId = message.attachments[0]!.id;
    saveTo = join(mkdtempSync(join(downloads, 'locked-')), 'notes.pdf');
    let online: Promise<unknown> | undefined;
    whileDialogOpen = async () => {
      await value(service.call('vault.lock', {}));
      online = nextEvent(service, 'network.status', (p) => p.status === 'online');
      await value(service.call('vault.unlock', { passphrase: PASS }));
    };
    try {
      expect(await service.call('attachments.saveToDisk', { attachmentId })).toMatchObject({
        ok: false,
        error: { code: 'VAULT_LOCKED' },
      });
    } finally {
      whileDialogOpen = undefined;
    }
    expect(existsSync(saveTo)).toBe(false);
    // Asked again in the new session, it saves.
    await online;
    expect(await value(service.call('attachments.saveToDisk', { attachmentId }))).toEqual({ saved: true });
    expect(readFileSync(saveTo).equals(file)).toBe(true);
  });
});
