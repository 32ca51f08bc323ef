/**
 * For group tests on the demo network: our client, started with our profile key and with our profile (so
 * its key's commitment) on the server — what the profile key credential that joining a group presents is
 * issued against.
 */
import { expect } from 'vitest';
import { profileUploadBody } from '../../account/own-profile.js';
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
