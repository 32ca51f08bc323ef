/**
 * For group receive tests on the demo network: a simulated member's sender key handed to our client, and
 * the member's sealed sender-key messages to a group as its phone encrypts them (the mock's own encoding
 * and encryption, not ours), ready to queue for our device.
 */
import { ProtocolAddress } from '@signalapp/libsignal-client';
import { EMPTY_DATA_MESSAGE, Group, type Device } from '@signalapp/mock-server';
import { expect, vi } from 'vitest';
import type { DemoContact } from '../../demo/network.js';
import type { MessagingClient } from '../../messaging/client.js';
import type { Harness } from '../../messaging/test-support/harness.js';

const WAIT = { timeout: 15_000, interval: 50 };

/** The member's fresh sender key, sent over a 1:1 session and processed by `client`; its distribution id. */
export async function distributeSenderKey(
  h: Harness,
  client: MessagingClient,
  member: DemoContact,
): Promise<string> {
  await member.ensureSession(h.account.aci);
  const distributionId = await member.device.sendSenderKey(h.device);
  const address = ProtocolAddress.new(member.aci, 1);
  await vi.waitFor(async () => {
    expect(await client.stores.senderKeys.getSenderKey(address, distributionId)).not.toBeNull();
  }, WAIT);
  return distributionId;
}

/**
 * The member's sealed sender-key message in `group` for our device: a DataMessage with these fields (and
 * the group context), or with `edit` an edit of the member's message sent at that time.
 */
export async function memberEnvelope(
  h: Harness,
  member: DemoContact,
  sent: { group: Group; distributionId: string; timestamp: number; edit?: number },
  fields: Record<string, unknown>,
): Promise<Buffer<ArrayBuffer>> {
  const { group, distributionId, timestamp, edit } = sent;
  const dataMessage = {
    ...EMPTY_DATA_MESSAGE,
    timestamp: BigInt(timestamp),
    groupV2: group.toContext(),
    ...fields,
  };
  const content =
    edit === undefined
      ? { dataMessage }
      : { editMessage: { targetSentTimestamp: BigInt(edit), dataMessage } };
  const phone = member.device as unknown as {
    encryptContent(to: Device, content: unknown, options: unknown): Promise<Buffer<ArrayBuffer>>;
  };
  return phone.encryptContent(
    h.device,
    { content, pniSignatureMessage: null, senderKeyDistributionMessage: null },
    { sealed: true, distributionId, group, timestamp },
  );
}

/** The group as the mock's server holds it now (e.g. after a change we made, such as accepting). */
export async function groupOnServer(h: Harness, stale: Group): Promise<Group> {
  // The mock's zkgroup objects come from its own copy of libsignal: their types do not resolve here.
  const params = stale.publicParams as unknown as { serialize(): Uint8Array<ArrayBuffer> };
  const onServer = await h.network.server.getGroup(params.serialize());
  const secretParams: unknown = stale.secretParams;
  return new Group({ secretParams: secretParams as never, groupState: onServer!.state });
}
