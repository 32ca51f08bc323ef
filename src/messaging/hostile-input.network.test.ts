/**
 * Hostile but validly encrypted input from a contact, on the demo network (real mock-server, real
 * SQLCipher vault, real libsignal): bounded work per message (issue 13.4), receive-side limits and long
 * text as Signal sends it (13.5). Assertions are on counts and structure, never on timing.
 */
import { randomBytes } from 'node:crypto';
import { EMPTY_DATA_MESSAGE } from '@signalapp/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoContact } from '../demo/network.js';
import { directSocketOpener } from '../net/direct-opener.js';
import { mockAttachment, mockCrypto } from './attachments/mock-contact.test-support.js';
import { createAttachmentTransport } from './attachments/service.js';
import { Downloads } from './downloads.js';
import type { MessagingClient } from './client.js';
import type { Message } from './store.js';
import { createHarness, type Harness } from './test-support/harness.js';

/** Polls a condition; only bounds how long the test may wait. */
async function until(condition: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function incoming(client: MessagingClient, conversationId: string): Message[] {
  return client.store
    .page(conversationId, { limit: 500 })
    .messages.filter((m) => m.kind === 'message' && m.direction === 'in');
}

describe('hostile input from a contact (demo network)', () => {
  let h: Harness;
  let client: MessagingClient;

  beforeAll(async () => {
    h = await createHarness();
    client = await h.startClient();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function contactSends(
    contact: DemoContact,
    dataMessage: Record<string, unknown>,
    options: { sealed?: boolean } = {},
  ): Promise<void> {
    await contact.device.sendRaw(
      h.device,
      {
        content: {
          dataMessage: { ...EMPTY_DATA_MESSAGE, timestamp: BigInt(Date.now()), ...dataMessage },
        },
        pniSignatureMessage: null,
        senderKeyDistributionMessage: null,
      },
      options,
    );
  }

  async function knownContact(name: string): Promise<{ contact: DemoContact; conversationId: string }> {
    const contact = await h.contact(name);
    await h.sendFromContact(contact, 'hi').acked;
    return { contact, conversationId: client.store.findConversationByServiceId(contact.aci)!.id };
  }

  it('10,000 attachment pointers in one sealed message: 32 kept (Signal’s cap), one update per download round, the next message still arrives (13.4)', async () => {
    const { contact, conversationId } = await knownContact('Flood');
    const countRows = (): number =>
      (h.vault.db.prepare('SELECT count(*) AS n FROM attachments').get() as { n: number }).n;
    const rowsBefore = countRows();
    const pointers = Array.from({ length: 10_000 }, (_, i) =>
      mockAttachment.attachmentToPointer(`flood-${i}`, {
        key: randomBytes(64),
        digest: randomBytes(32),
        size: 100,
      }),
    );
    const updates = new Map<string, number>();
    const off = client.on('message.updated', (m) => updates.set(m.id, (updates.get(m.id) ?? 0) + 1));
    await contactSends(contact, { body: 'many files', attachments: pointers }, { sealed: true });
    const message = incoming(client, conversationId).find((m) => m.body === 'many files');
    expect(message?.attachmentIds).toHaveLength(32);
    expect(countRows() - rowsBefore).toBe(32);
    // None of them exists on the CDN: each round ends with every pointer failed for good.
    await until(
      () => message!.attachmentIds.every((id) => client.attachmentInfo(id)?.state === 'failed'),
      'the download round',
    );
    await new Promise((r) => setTimeout(r, 200));
    off();
    expect(updates.get(message!.id)).toBe(1);
    await h.sendFromContact(contact, 'still here').acked;
    expect(incoming(client, conversationId).some((m) => m.body === 'still here')).toBe(true);
  }, 120_000);

  it('a 1 MiB body is stored cut to Signal’s 64 KiB text limit, on a character boundary (13.5)', async () => {
    const { contact, conversationId } = await knownContact('Talker');
    // One ASCII byte first, so the 64 KiB cut falls inside a two-byte 'é'.
    const body = `x${'é'.repeat(40_000)}${'x'.repeat(1024 * 1024)}`;
    await contactSends(contact, { body });
    const message = incoming(client, conversationId).find((m) => m.body?.startsWith('xéé'));
    expect(message).toBeDefined();
    const stored = message!.body!;
    expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(64 * 1024);
    expect(Buffer.byteLength(stored)).toBeGreaterThan(64 * 1024 - 4);
    expect(body.startsWith(stored)).toBe(true);
  });

  it('long text as Signal sends it: the text/x-signal-plain attachment becomes the body once downloaded (13.5)', async () => {
    const { contact, conversationId } = await knownContact('Writer');
    const full = `Long letter. ${'All work and no play makes a long message. '.repeat(200)}The end.`;
    expect(Buffer.byteLength(full)).toBeGreaterThan(2048);
    const encrypted = mockCrypto.encryptAttachment(Buffer.from(full));
    const cdnKey = `long-${randomBytes(8).toString('hex')}`;
    await h.network.server.storeAttachmentOnCdn(3, cdnKey, encrypted.blob);
    const pointer = {
      ...mockAttachment.attachmentToPointer(cdnKey, encrypted),
      contentType: 'text/x-signal-plain',
      cdnNumber: 3,
    };
    // Signal puts the first 2 KiB inline and the whole text in the attachment.
    await contactSends(contact, { body: full.slice(0, 2048), attachments: [pointer] });
    const first = incoming(client, conversationId).find((m) => m.body?.startsWith('Long letter.'))!;
    expect(first).toBeDefined();
    await until(() => client.store.getMessage(first.id)?.body === full, 'the long text');
    const message = client.store.getMessage(first.id)!;
    expect(message.attachmentIds).toEqual([]);
  });

  it('queued downloads are bounded: beyond the bound they wait in the vault and follow once the queue drains (12.10, 13.4)', async () => {
    const { store } = client;
    const records = client.attachments!;
    const conversation = store.getOrCreateConversation('0d3a4c5e-7f58-4b2e-9c1d-2f3e4a5b6c7d', {
      isContact: true,
    });
    const rounds = Array.from({ length: 5 }, (_, i) =>
      store.transaction(() => {
        const ids = Array.from({ length: 4 }, (_, j) =>
          records.addIncoming({
            cdnKey: `bounded-${i}-${j}`,
            cdnNumber: 3,
            key: randomBytes(64),
            digest: randomBytes(32),
            size: 10,
          }),
        );
        const { message } = store.insertIncoming({
          conversationId: conversation.id,
          sourceServiceId: conversation.serviceId,
          sourceDevice: 1,
          sentAt: 5000 + i,
          body: null,
          attachmentIds: ids,
        });
        return { messageId: message!.id, ids };
      }),
    );
    const transport = createAttachmentTransport({
      config: h.network.config,
      openSocket: directSocketOpener,
      credentials: h.account,
    });
    let most = 0;
    const downloads = new Downloads({
      store,
      records,
      transport,
      running: () => true,
      onProgress: () => undefined,
      onUpdated: () => (most = Math.max(most, downloads.queued)),
      maxQueued: 6,
    });
    for (const round of rounds) downloads.inBackground(round.messageId, round.ids);
    expect(downloads.queued).toBeLessThanOrEqual(6);
    const all = rounds.flatMap((round) => round.ids);
    await until(() => all.every((id) => records.get(id)?.state === 'failed'), 'every download');
    expect(most).toBeLessThanOrEqual(6);
    expect(downloads.queued).toBe(0);
    transport.close();
  });
});
