/**
 * Test-only: the demo network for the soak test in its own process, driven over the Node IPC channel. The
 * server is remote in production; here it also keeps the mock server's own faults out of the test runner
 * (its HTTP framework rejects unhandled when a response is cut off by the killed proxy: logged, ignored).
 *
 *   child → { type: 'ready', config }
 *   parent → { id, op: 'contact', name, echo }                     child → { id, value: { aci } }
 *   parent → { id, op: 'text', from, to, text, sealed, timestamp } child → { id } once we acked it
 *   parent → { id, op: 'file', from, to, body, timestamp }         child → { id } once we acked it
 *   parent → { id, op: 'receipts', name }  child → { id, value: timestamps } (delivery receipts so far)
 *   parent → { id, op: 'close' }                                   child exits
 * A failure answers { id, error }.
 */
import { randomBytes } from 'node:crypto';
import { EMPTY_DATA_MESSAGE } from '@signalapp/mock-server';
import { startDemoNetwork, type DemoContact } from '../../demo/network.js';
import { mockAttachment, mockCrypto } from '../../messaging/attachments/mock-contact.test-support.js';

type Command =
  | { id: number; op: 'contact'; name: string; echo: boolean }
  | { id: number; op: 'text'; from: string; to: string; text: string; sealed: boolean; timestamp: number }
  | { id: number; op: 'file'; from: string; to: string; body: string; timestamp: number }
  | { id: number; op: 'receipts'; name: string }
  | { id: number; op: 'close' };

process.on('unhandledRejection', (error) => {
  process.stderr.write(`soak server: ignored unhandled rejection (${String(error)})\n`);
});

const network = await startDemoNetwork();
const contacts = new Map<string, DemoContact>();
/** Timestamps of the messages each contact got a delivery receipt for. */
const delivered = new Map<string, Set<number>>();

async function deliveryReceipts(name: string): Promise<number[]> {
  const device = contact(name).device;
  const seen = delivered.get(name) ?? new Set<number>();
  delivered.set(name, seen);
  while (device.getReceiptQueueSize() > 0) {
    const { receiptMessage } = await device.waitForReceipt();
    if (Number(receiptMessage.type) === 0 /* DELIVERY */)
      for (const ts of receiptMessage.timestamp ?? []) seen.add(Number(ts));
  }
  return [...seen];
}

function contact(name: string): DemoContact {
  const found = contacts.get(name);
  if (!found) throw new Error(`unknown contact ${name}`);
  return found;
}

async function sendFile(command: Extract<Command, { op: 'file' }>): Promise<void> {
  const encrypted = mockCrypto.encryptAttachment(randomBytes(4096));
  const cdnKey = `soak-${randomBytes(8).toString('hex')}`;
  await network.server.storeAttachmentOnCdn(3, cdnKey, encrypted.blob);
  const from = contact(command.from);
  const target = await from.ensureSession(command.to);
  await from.device.sendRaw(target, {
    content: {
      dataMessage: {
        ...EMPTY_DATA_MESSAGE,
        body: command.body,
        attachments: [{ ...mockAttachment.attachmentToPointer(cdnKey, encrypted), cdnNumber: 3 }],
        timestamp: BigInt(command.timestamp),
      },
    },
    pniSignatureMessage: null,
    senderKeyDistributionMessage: null,
  } as never);
}

async function run(command: Command): Promise<unknown> {
  switch (command.op) {
    case 'contact': {
      const created = await network.createContact(command.name, { echo: command.echo });
      contacts.set(command.name, created);
      return { aci: created.aci };
    }
    case 'text':
      return contact(command.from).sendText(command.to, command.text, {
        sealed: command.sealed,
        timestamp: command.timestamp,
      });
    case 'file':
      return sendFile(command);
    case 'receipts':
      return deliveryReceipts(command.name);
    case 'close':
      await network.close();
      process.exit(0);
  }
}

process.on('message', (raw: unknown) => {
  const command = raw as Command;
  run(command).then(
    (value) => process.send?.({ id: command.id, value }),
    (error: unknown) =>
      process.send?.({ id: command.id, error: error instanceof Error ? error.message : 'error' }),
  );
});

process.send?.({ type: 'ready', config: network.config });
