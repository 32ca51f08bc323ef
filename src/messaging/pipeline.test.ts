/**
 * Integration: attachments and the hardening policies inside the messaging pipelines, against the REAL
 * @signalapp/mock-server over TLS with a real SQLCipher vault, real libsignal and the mock's own
 * simulated phones as contacts (they encrypt/decrypt attachments with the mock's code, not ours).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY_DATA_MESSAGE } from '@signalapp/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onceShredded } from '../test-support/files.js';
import type { DemoContact } from '../demo/network.js';
import { AlreadyViewedError } from '../errors.js';
import { metadataMarkers, photoWithMetadata } from './attachments/image.test-support.js';
import type { AttachmentProgress } from './sender.js';
import type { MessagingClient } from './client.js';
import type { Message } from './store.js';
import { createHarness, type Harness } from './test-support/harness.js';
import { contactDecrypt, mockAttachment, mockCrypto } from './attachments/mock-contact.test-support.js';

function until<T>(client: MessagingClient, predicate: () => T | undefined | false, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const offs: Array<() => void> = [];
    const check = (): void => {
      const value = predicate();
      if (value === undefined || value === false) return;
      cleanup();
      resolve(value);
    };
    for (const name of ['message.added', 'message.updated', 'conversation.updated'] as const) {
      offs.push(client.on(name, check));
    }
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${what}`));
    }, 20_000);
    function cleanup(): void {
      clearTimeout(timer);
      for (const off of offs) off();
    }
    check();
  });
}

function incoming(client: MessagingClient, conversationId: string): Message[] {
  return client.store
    .page(conversationId, { limit: 500 })
    .messages.filter((m) => m.kind === 'message' && m.direction === 'in');
}

function filesOnDisk(profileDir: string): string[] {
  return readdirSync(join(profileDir, 'files'));
}

describe('attachments in the messaging pipelines (demo network)', () => {
  let h: Harness;
  let client: MessagingClient;
  let cdnDir: string;

  beforeAll(async () => {
    cdnDir = mkdtempSync(join(tmpdir(), 'carapace-pipe-cdn-'));
    h = await createHarness({ cdnDir });
    client = await h.startClient();
  });
  afterAll(async () => {
    await h?.close();
    rmSync(cdnDir, { recursive: true, force: true });
  });

  /** The contact uploads `plaintext` with the mock's own crypto and sends us its pointer. */
  async function contactSendsAttachment(
    contact: DemoContact,
    plaintext: Buffer,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const encrypted = mockCrypto.encryptAttachment(plaintext);
    const cdnKey = `pipe-${randomBytes(8).toString('hex')}`;
    await h.network.server.storeAttachmentOnCdn(3, cdnKey, encrypted.blob);
    await contact.device.sendRaw(h.device, {
      content: {
        dataMessage: {
          ...EMPTY_DATA_MESSAGE,
          body: 'look at this',
          attachments: [{ ...mockAttachment.attachmentToPointer(cdnKey, encrypted), cdnNumber: 3 }],
          timestamp: BigInt(Date.now()),
          ...extra,
        },
      },
      pniSignatureMessage: null,
      senderKeyDistributionMessage: null,
    } as never);
  }

  it('receives an image: pointer recorded with the message, downloaded after commit, byte-identical', async () => {
    const alice = await h.contact('Alice');
    await h.sendFromContact(alice, 'hi').acked; // a session to send raw content over
    const conversationId = client.store.findConversationByServiceId(alice.aci)!.id;
    const photo = await photoWithMetadata('png');
    const progress: AttachmentProgress[] = [];
    const off = client.on('attachment.progress', (event) => progress.push(event));
    await contactSendsAttachment(alice, photo);
    const message = incoming(client, conversationId).find((m) => m.body === 'look at this');
    expect(message?.attachmentIds).toHaveLength(1);
    const attachmentId = message!.attachmentIds[0]!;
    const info = await until(
      client,
      () => {
        const current = client.attachmentInfo(attachmentId);
        return current?.state === 'ready' ? current : undefined;
      },
      'the download',
    );
    off();
    expect(info.contentType).toBe('image/png');
    expect(info.inlineImage).toBe(true);
    const back = client.readAttachment(attachmentId);
    expect(back.bytes.equals(photo)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ messageId: message!.id, attachmentId, direction: 'download' });
    expect(progress.at(-1)!.loaded).toBe(progress.at(-1)!.total);
  });

  it('sends an image: uploaded, the contact decrypts it byte-identical to our copy, EXIF/GPS gone', async () => {
    const bob = await h.contact('Bob');
    await h.sendFromContact(bob, 'send me a photo').acked;
    const conversationId = client.store.findConversationByServiceId(bob.aci)!.id;
    const photo = await photoWithMetadata('jpeg');
    expect(metadataMarkers(photo).length).toBeGreaterThan(3);
    const progress: AttachmentProgress[] = [];
    const off = client.on('attachment.progress', (event) => progress.push(event));
    const sent = await client.sendAttachments(
      conversationId,
      [{ bytes: photo, fileName: 'IMG_0001.jpg' }],
      'a photo',
    );
    off();
    expect(sent.status).toBe('sent');
    expect(sent.body).toBe('a photo');
    expect(sent.attachmentIds).toHaveLength(1);
    expect(progress.at(-1)).toMatchObject({ messageId: sent.id, direction: 'upload' });
    expect(progress.at(-1)!.loaded).toBe(progress.at(-1)!.total);

    let entry = await bob.device.waitForMessage();
    while (!entry.dataMessage.attachments?.length) entry = await bob.device.waitForMessage();
    expect(entry.dataMessage.body).toBe('a photo');
    const theirs = entry.dataMessage.attachments[0]!;
    expect(theirs.fileName ?? undefined).toBeUndefined(); // photo names stay home by default
    const blob = readFileSync(join(cdnDir, 'attachments', theirs.attachmentIdentifier!.cdnKey!));
    const decrypted = contactDecrypt(blob, theirs.key!, theirs.digest!, theirs.size!);
    const ours = client.readAttachment(sent.attachmentIds[0]!);
    expect(decrypted.equals(ours.bytes)).toBe(true);
    expect(metadataMarkers(decrypted)).toEqual([]);
  });

  it('view-once: received media opens once, then its bytes are shredded and a marker remains', async () => {
    const cat = await h.contact('Cat');
    await h.sendFromContact(cat, 'hello').acked;
    const conversationId = client.store.findConversationByServiceId(cat.aci)!.id;
    const secret = Buffer.concat([Buffer.from('%PDF-1.4\nVIEWONCE-MARKER-'), randomBytes(5000)]);
    const before = filesOnDisk(h.profileDir).length;
    await contactSendsAttachment(cat, secret, { isViewOnce: true, body: null });
    const message = incoming(client, conversationId).find((m) => m.viewOnce)!;
    expect(message).toBeDefined();
    const attachmentId = message.attachmentIds[0]!;
    await until(client, () => client.attachmentInfo(attachmentId)?.state === 'ready', 'the download');
    expect(filesOnDisk(h.profileDir).length).toBe(before + 1);
    // Not through the ordinary read path: only viewOnce() opens it.
    expect(() => client.readAttachment(attachmentId)).toThrow();

    const [shown] = await client.viewOnce(message.id);
    const after = client.store.getMessage(message.id)!;
    expect(after.viewed).toBe(true);
    expect(after.attachmentIds).toEqual([]);
    // Read by range while it is viewed; the last piece ends the viewing and shreds it.
    expect(shown).toEqual({ attachmentId, size: secret.length, blobType: 'application/octet-stream' });
    expect(client.readAttachmentRange(attachmentId, 0, secret.length).bytes.equals(secret)).toBe(true);
    expect(() => client.readAttachmentRange(attachmentId, 0, 1)).toThrow();
    await onceShredded(() => expect(filesOnDisk(h.profileDir).length).toBe(before));
    expect(client.attachmentInfo(attachmentId)).toBeUndefined();
    await expect(client.viewOnce(message.id)).rejects.toBeInstanceOf(AlreadyViewedError);
  });

  it('view-once: sending sets isViewOnce for the contact and drops our own copy once sent', async () => {
    const dan = await h.contact('Dan');
    await h.sendFromContact(dan, 'hi').acked;
    const conversationId = client.store.findConversationByServiceId(dan.aci)!.id;
    const photo = await photoWithMetadata('jpeg');
    const sent = await client.sendAttachments(conversationId, [{ bytes: photo }], undefined, {
      viewOnce: true,
    });
    expect(sent.viewOnce).toBe(true);
    expect(sent.viewed).toBe(true);
    expect(sent.attachmentIds).toEqual([]);
    let entry = await dan.device.waitForMessage();
    while (!entry.dataMessage.attachments?.length) entry = await dan.device.waitForMessage();
    expect(entry.dataMessage.isViewOnce).toBe(true);
  });

  it('a held request’s media is not fetched (no CDN request) until the request is accepted', async () => {
    await client.stop();
    client = await h.startClient({ blockUnknownSenders: () => 'hold-as-request' });
    const stranger = await h.contact('Stranger');
    await h.sendFromContact(stranger, 'hello?').acked;
    const held = client.store.findConversationByServiceId(stranger.aci)!;
    expect(held.isRequest).toBe(true);
    const progress: AttachmentProgress[] = [];
    const off = client.on('attachment.progress', (event) => progress.push(event));
    await contactSendsAttachment(stranger, Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(3000)]));
    const message = incoming(client, held.id).find((m) => m.attachmentIds.length > 0)!;
    const attachmentId = message.attachmentIds[0]!;
    // A known contact's attachment, fetched meanwhile, is the barrier.
    const known = await h.contact('Known');
    client.conversation(known.aci);
    await h.sendFromContact(known, 'hi').acked;
    await contactSendsAttachment(known, Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(3000)]));
    const knownChat = client.store.findConversationByServiceId(known.aci)!;
    const knownId = incoming(client, knownChat.id).find((m) => m.attachmentIds.length > 0)!.attachmentIds[0]!;
    await until(client, () => client.attachmentInfo(knownId)?.state === 'ready', 'the known download');
    expect(client.attachmentInfo(attachmentId)?.state).toBe('pending');
    expect(progress.filter((p) => p.attachmentId === attachmentId)).toEqual([]);

    await client.acceptRequest(held.id);
    await until(
      client,
      () => client.attachmentInfo(attachmentId)?.state === 'ready',
      'the download after accept',
    );
    off();
    expect(progress.some((p) => p.attachmentId === attachmentId)).toBe(true);
  });
});
