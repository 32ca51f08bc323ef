/**
 * For group tests on the demo network: our client, started with our profile key and with our profile (so
 * its key's commitment) on the server — what the profile key credential that joining a group presents is
 * issued against.
 */
import { EMPTY_GROUP_ACTIONS, type Group } from '@signalapp/mock-server';
import { expect } from 'vitest';
import { profileUploadBody } from '../../account/own-profile.js';
import type { DemoContact } from '../../demo/network.js';
import type { MessagingClient } from '../../messaging/client.js';
import type { Harness } from '../../messaging/test-support/harness.js';

export async function startGroupMember(h: Harness): Promise<MessagingClient> {
  const client = await h.startClient({ ownProfileKey: () => h.account.profileKey });
  const upload = await client.accountRequest({
    verb: 'PUT',
    path: '/v1/profile',
    headers: { 'content-type': 'application/json' },
    body: profileUploadBody(h.account.aci, h.account.profileKey, {
      profile: null,
      phoneNumberSharing: 'nobody',
    }),
  });
  expect(upload.status).toBe(200);
  return client;
}

/** `admin` (a simulated phone, an administrator) removes `serviceId` from the group on the mock's server. */
export async function removeFromGroup(
  h: Harness,
  admin: DemoContact,
  group: Group,
  serviceId: string,
): Promise<void> {
  const publicParams = (
    group.publicParams as unknown as { serialize(): Uint8Array<ArrayBuffer> }
  ).serialize();
  const onServer = await h.network.server.getGroup(new Uint8Array(publicParams));
  const result = await h.network.server.modifyGroup({
    group: onServer!,
    actions: {
      ...EMPTY_GROUP_ACTIONS,
      version: onServer!.revision + 1,
      deleteMembers: [{ deletedUserId: group.encryptServiceId(serviceId as never) }],
    },
    aciCiphertext: group.encryptServiceId(admin.aci as never),
    pniCiphertext: undefined,
  });
  expect(result.conflict).toBe(false);
}
