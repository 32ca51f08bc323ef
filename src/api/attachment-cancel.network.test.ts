/**
 * Cancelling an attachment transfer through the API on the REAL demo network (mock-server over TLS): a
 * large upload cancelled mid-transfer fails its message and nothing is sent; a large download cancelled
 * mid-transfer stays not downloaded with no file written, and downloads again on request.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EMPTY_DATA_MESSAGE } from '@signalapp/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onceShredded } from '../test-support/files.js';
import { startDemoNetwork, type DemoContact, type DemoNetwork } from '../demo/network.js';
import { mockAttachment, mockCrypto } from '../messaging/attachments/mock-contact.test-support.js';
import type { CoreService } from './service.js';
import { openContactChat } from './test-support/contact-chat.js';
import { createTestCore, type TestCore } from './test-support/core.js';
import { stageFile } from './test-support/stage-file.js';
import { nextEvent, value } from './test-support/events.js';
import { readAttachment } from './test-support/read-attachment.js';

const PASS = 'attachment cancel passphrase 4';
const NUMBER = '+15550004417';
/** Large enough that the transfer is still running when the first progress event asks to cancel it. */
const LARGE = 40 * 1024 * 1024;

/**
 * The mock server's CDN download handler answers a client that reset the stream with a second response
 * (micro: "Response has already been initiated", ERR_HTTP2_HEADERS_SENT) and leaves that rejection
 * unhandled. It is the mock's bug, not ours: ignore exactly that one while this file runs, forward the rest.
 */
function ignoreMockResetRejection(): () => void {
  const previous = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  const filter = (reason: unknown, promise: Promise<unknown>): void => {
    if ((reason as { code?: unknown } | null)?.code === 'ERR_HTTP2_HEADERS_SENT') return;
    for (const listener of previous) listener(reason, promise);
  };
  process.on('unhandledRejection', filter);
  return () => {
    process.off('unhandledRejection', filter);
    for (const listener of previous) process.on('unhandledRejection', listener);
  };
}

describe('cancelling an attachment transfer (demo network)', () => {
  let network: DemoNetwork;
  let core: TestCore;
  let service: CoreService;
  let cat: DemoContact;
  let conversationId = '';
  let ourAci = '';
  let restoreRejections = (): void => undefined;

  const storedFiles = (): number => readdirSync(join(core.profile.dir, 'files')).length;

  /** Calls attachments.cancel on the first progress event of `direction`; resolves with its answer. */
  function cancelOnFirstProgress(direction: 'upload' | 'download') {
    return new Promise<{ attachmentId: string; result: Awaited<ReturnType<CoreService['call']>> }>(
      (resolve) => {
        const off = service.onEvent((name, payload) => {
          if (name !== 'attachment.progress') return;
          const event = payload as { attachmentId: string; direction: string; loaded: number };
          if (event.direction !== direction || event.loaded === 0) return;
          off();
          void service
            .call('attachments.cancel', { attachmentId: event.attachmentId })
            .then((result) => resolve({ attachmentId: event.attachmentId, result }));
        });
      },
    );
  }

  beforeAll(async () => {
    restoreRejections = ignoreMockResetRejection();
    network = await startDemoNetwork();
    core = createTestCore({ networkConfig: network.config });
    service = core.service;
    ({
      ourAci,
      contact: cat,
      conversationId,
    } = await openContactChat(service, network, { passphrase: PASS, number: NUMBER, contactName: 'Cat' }));
  }, 60_000);

  afterAll(async () => {
    await core?.dispose();
    await network?.close();
    restoreRejections();
  });

  it('NOT_FOUND when nothing runs for that attachment', async () => {
    expect(await service.call('attachments.cancel', { attachmentId: 'no-such-transfer' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('a cancelled upload fails its message and sends nothing; the next send works', async () => {
    const stageId = await stageFile(service, randomBytes(LARGE));
    const cancelled = cancelOnFirstProgress('upload');
    const send = await service.call('attachments.send', {
      conversationId,
      files: [{ stageId, fileName: 'big.bin' }],
    });
    const { attachmentId, result } = await cancelled;
    expect(result).toEqual({ ok: true, value: { cancelled: true } });
    expect(send).toMatchObject({ ok: false, error: { code: 'NETWORK' } });
    const page = await value(service.call('messages.page', { conversationId }));
    const failed = page.messages.find((m) => m.attachments.some((a) => a.id === attachmentId));
    expect(failed).toMatchObject({ direction: 'out', status: 'failed' });

    const small = await value(
      service.call('attachments.send', {
        conversationId,
        files: [{ dataBase64: randomBytes(1000).toString('base64'), fileName: 'small.bin' }],
      }),
    );
    expect(small.status).toBe('sent');
  }, 120_000);

  it('a cancelled download stays not downloaded, writes no file, and downloads again', async () => {
    const plaintext = randomBytes(LARGE);
    const encrypted = mockCrypto.encryptAttachment(plaintext);
    const cdnKey = `cancel-${randomBytes(8).toString('hex')}`;
    await network.server.storeAttachmentOnCdn(3, cdnKey, encrypted.blob);
    const before = storedFiles();
    const cancelled = cancelOnFirstProgress('download');
    const settled = nextEvent(
      service,
      'message.updated',
      (p) => p.message.direction === 'in' && p.message.attachments.length > 0,
      60_000,
    );
    await cat.device.sendRaw(await cat.ensureSession(ourAci), {
      content: {
        dataMessage: {
          ...EMPTY_DATA_MESSAGE,
          body: null,
          attachments: [
            { ...mockAttachment.attachmentToPointer(cdnKey, encrypted), cdnNumber: 3, fileName: 'big.bin' },
          ],
          timestamp: BigInt(Date.now()),
        },
      },
      pniSignatureMessage: null,
      senderKeyDistributionMessage: null,
    } as never);
    const { attachmentId, result } = await cancelled;
    expect(result).toEqual({ ok: true, value: { cancelled: true } });
    const { message } = await settled;
    expect(message.attachments[0]).toMatchObject({ id: attachmentId, state: 'pending' });
    await onceShredded(() => expect(storedFiles()).toBe(before));
    expect(await service.call('attachments.cancel', { attachmentId })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });

    const again = await value(service.call('attachments.download', { attachmentId }));
    expect(again.attachments[0]).toMatchObject({ id: attachmentId, state: 'ready' });
    expect((await readAttachment(service, attachmentId)).equals(plaintext)).toBe(true);
  }, 120_000);
});
