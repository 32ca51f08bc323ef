/**
 * The simulated contact's side of attachments (test only): encrypt with the MOCK's own attachment code
 * (not ours), put the blob on the demo CDN and send the pointer, as a real phone would.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { EMPTY_DATA_MESSAGE } from '@signalapp/mock-server';
import type { DemoContact, DemoNetwork } from '../../src/demo/network.js';

const require = createRequire(import.meta.url);
const mockCrypto = require('@signalapp/mock-server/src/crypto.js') as {
  encryptAttachment(cleartext: Buffer): { key: Buffer; blob: Buffer; digest: Buffer; size: number };
};
const mockAttachment = require('@signalapp/mock-server/src/data/attachment.js') as {
  attachmentToPointer(cdnKey: string, attachment: unknown): Record<string, unknown>;
};

export async function contactSendsAttachment(
  network: DemoNetwork,
  contact: DemoContact,
  toAci: string,
  plaintext: Buffer,
  options: {
    contentType?: string;
    fileName?: string;
    viewOnce?: boolean;
    body?: string;
    /** Flip one byte of the stored blob after encryption (a CDN or network that tampers). */
    tamper?: boolean;
  } = {},
): Promise<void> {
  const encrypted = mockCrypto.encryptAttachment(plaintext);
  const cdnKey = `e2e-${randomBytes(8).toString('hex')}`;
  if (options.tamper) {
    const at = Math.floor(encrypted.blob.length / 2);
    encrypted.blob[at] = (encrypted.blob[at] ?? 0) ^ 0x01;
  }
  await network.server.storeAttachmentOnCdn(3, cdnKey, encrypted.blob as Buffer<ArrayBuffer>);
  const target = await contact.ensureSession(toAci);
  await contact.device.sendRaw(target, {
    content: {
      dataMessage: {
        ...EMPTY_DATA_MESSAGE,
        body: options.body ?? null,
        attachments: [
          {
            ...mockAttachment.attachmentToPointer(cdnKey, encrypted),
            cdnNumber: 3,
            ...(options.contentType ? { contentType: options.contentType } : {}),
            ...(options.fileName ? { fileName: options.fileName } : {}),
          },
        ],
        timestamp: BigInt(Date.now()),
        ...(options.viewOnce ? { isViewOnce: true } : {}),
      },
    },
    pniSignatureMessage: null,
    senderKeyDistributionMessage: null,
  } as never);
}
