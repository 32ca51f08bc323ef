/**
 * Link previews in messages through the API on the REAL demo network (mock-server over TLS; the
 * simulated contact encrypts and decodes with the mock's own code). Received: the preview is stored
 * from what was sent — bounded, only when its https link is in the body, its image downloaded like any
 * attachment (and held for an unknown sender) — and never fetched, even with previews on and the link
 * pointing at a live local site. Sent: Signal's DataMessage.preview with the image as an attachment
 * pointer (metadata stripped), only when the link is in the body.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY_DATA_MESSAGE } from '@signalapp/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoContact, type DemoNetwork } from '../demo/network.js';
import { metadataMarkers, photoWithMetadata } from '../messaging/attachments/image.test-support.js';
import {
  contactDecrypt,
  mockAttachment,
  mockCrypto,
} from '../messaging/attachments/mock-contact.test-support.js';
import {
  makeSelfSignedCert,
  startCountingTlsServer,
  type CountingTlsServer,
} from '../net/test-support/socks.js';
import { createTestProfile, TEST_KDF, type TestProfile } from '../test-support/vault.js';
import type { Message } from './contract.js';
import { createCoreService, type CoreService } from './service.js';
import { registerThroughService } from './test-support/core.js';
import { nextEvent, value } from './test-support/events.js';

const PASS = 'preview messages passphrase 5';
const NUMBER = '+15550007722';

interface SentPreview {
  readonly url: string;
  readonly title: string;
  readonly description?: string;
  readonly image?: Buffer;
}

describe('link previews in messages (demo network)', () => {
  let network: DemoNetwork;
  let cdnDir: string;
  let site: CountingTlsServer;
  let profile: TestProfile;
  let service: CoreService;
  let cat: DemoContact;
  let conversationId = '';
  let ourAci = '';

  /** `from` sends us a text with a preview (its image uploaded with the mock's crypto). */
  async function contactSendsPreview(from: DemoContact, body: string, preview: SentPreview): Promise<void> {
    let image: Record<string, unknown> | null = null;
    if (preview.image) {
      const encrypted = mockCrypto.encryptAttachment(preview.image);
      const cdnKey = `preview-${randomBytes(8).toString('hex')}`;
      await network.server.storeAttachmentOnCdn(3, cdnKey, encrypted.blob);
      image = { ...mockAttachment.attachmentToPointer(cdnKey, encrypted), cdnNumber: 3 };
    }
    const target = await from.ensureSession(ourAci);
    await from.device.sendRaw(target, {
      content: {
        dataMessage: {
          ...EMPTY_DATA_MESSAGE,
          body,
          preview: [
            {
              url: preview.url,
              title: preview.title,
              description: preview.description ?? null,
              image,
              date: null,
            },
          ],
          timestamp: BigInt(Date.now()),
        },
      },
      pniSignatureMessage: null,
      senderKeyDistributionMessage: null,
    } as never);
  }

  beforeAll(async () => {
    cdnDir = mkdtempSync(join(tmpdir(), 'carapace-preview-cdn-'));
    network = await startDemoNetwork({ cdnDir });
    const cert = makeSelfSignedCert('localhost');
    site = await startCountingTlsServer(cert, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<title>Live page</title>');
    });
    profile = createTestProfile();
    service = createCoreService({
      profileDir: profile.dir,
      networkConfig: network.config,
      vault: { kdf: TEST_KDF },
      // The local site is fetchable by this core: a received preview still must not reach it.
      linkPreviews: { trustStore: cert.cert, allowLocalHosts: true },
    });
    await value(service.call('vault.create', { passphrase: PASS }));
    await value(service.call('settings.update', { patch: { linkPreviews: true } }));
    ourAci = (await registerThroughService(service, NUMBER)).aci!;
    cat = await network.createContact('Cat');
    conversationId = (await value(service.call('conversations.start', { serviceId: cat.aci, name: 'Cat' })))
      .id;
  });

  afterAll(async () => {
    await service?.close();
    await site?.close();
    await network?.close();
    profile?.dispose();
    if (cdnDir) rmSync(cdnDir, { recursive: true, force: true });
  });

  it('receives a preview: text bounded and cleaned, image downloaded as the card image, nothing fetched', async () => {
    const url = `https://localhost:${site.port}/article`;
    const png = await photoWithMetadata('png');
    const ready = nextEvent(
      service,
      'message.updated',
      (p) => p.message.direction === 'in' && p.message.preview?.image?.state === 'ready',
    );
    await contactSendsPreview(cat, `look ${url}`, {
      url,
      title: `Harmless\u202e${'x'.repeat(500)}`,
      description: 'A description',
      image: png,
    });
    const message = (await ready).message;
    expect(message.preview).toMatchObject({ url, description: 'A description' });
    expect(message.preview?.title).not.toContain('\u202e');
    expect(Array.from(message.preview?.title ?? '')).toHaveLength(300);
    // The image is the card's, not one more attachment in the bubble.
    expect(message.attachments).toEqual([]);
    expect(message.preview?.image).toMatchObject({ inlineImage: true, contentType: 'image/png' });
    const bytes = await value(service.call('attachments.read', { attachmentId: message.preview!.image!.id }));
    expect(Buffer.from(bytes.dataBase64, 'base64')).toEqual(png);
    // Previews are on and the link is live, yet receiving made no request to it.
    expect(site.connections).toEqual([]);
  });

  it('drops a received preview whose link is not in the body (and does not store its image)', async () => {
    const added = nextEvent(service, 'message.added', (p) => p.message.body === 'no link here');
    await contactSendsPreview(cat, 'no link here', {
      url: 'https://example.org/hidden',
      title: 'Hidden',
      image: await photoWithMetadata('png'),
    });
    const message = (await added).message;
    expect(message.preview).toBeNull();
    expect(message.attachments).toEqual([]);
  });

  it("holds an unknown sender's preview image like any attachment (not downloaded)", async () => {
    const stranger = await network.createContact('Stranger');
    const url = 'https://example.org/from-a-stranger';
    const added = nextEvent(
      service,
      'message.added',
      (p) => p.message.direction === 'in' && p.message.body.includes(url),
    );
    await contactSendsPreview(stranger, `hi ${url}`, {
      url,
      title: 'Stranger page',
      image: await photoWithMetadata('png'),
    });
    const message: Message = (await added).message;
    expect(message.preview).toMatchObject({ url, title: 'Stranger page', image: { state: 'pending' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const page = await value(service.call('messages.page', { conversationId: message.conversationId }));
    expect(page.messages.find((m) => m.id === message.id)?.preview?.image?.state).toBe('pending');
  });

  it("sends Signal's preview field with the image as a stripped attachment pointer", async () => {
    const url = 'https://example.org/story';
    const photo = await photoWithMetadata('jpeg');
    expect(metadataMarkers(photo).length).toBeGreaterThan(0);
    const sent = await value(
      service.call('messages.send', {
        conversationId,
        body: `read ${url} today`,
        preview: { url, title: 'A story', description: 'About it', imageBase64: photo.toString('base64') },
      }),
    );
    expect(sent.preview).toMatchObject({
      url,
      title: 'A story',
      description: 'About it',
      image: { state: 'ready', inlineImage: true },
    });
    expect(sent.attachments).toEqual([]);

    const entry = await cat.device.waitForMessage();
    expect(entry.body).toBe(`read ${url} today`);
    const theirs = entry.dataMessage.preview[0];
    expect(theirs).toMatchObject({ url, title: 'A story', description: 'About it' });
    const pointer = theirs!.image!;
    expect(pointer.fileName ?? null).toBeNull();
    const blob = readFileSync(join(cdnDir, 'attachments', pointer.attachmentIdentifier!.cdnKey!));
    const decrypted = contactDecrypt(blob, pointer.key!, pointer.digest!, pointer.size!);
    expect(decrypted.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(metadataMarkers(decrypted)).toEqual([]);
  });

  it('sends no preview when its link is not in the body (the text still goes)', async () => {
    const sent = await value(
      service.call('messages.send', {
        conversationId,
        body: 'just text',
        preview: { url: 'https://example.org/elsewhere', title: 'Elsewhere' },
      }),
    );
    expect(sent.preview).toBeNull();
    const entry = await cat.device.waitForMessage();
    expect(entry.body).toBe('just text');
    expect(entry.dataMessage.preview).toEqual([]);
  });
});
