/**
 * Keeps contacts' names fresh while the client runs: every conversation change (a new message, a new
 * profile key) asks ContactProfiles whether that contact's profile is due, and fetches it in the background
 * over the client's own authenticated chat socket.
 */
import { ContactProfiles } from '../../account/contact-profiles.js';
import type { AccountKv } from '../../account/account-kv.js';
import type { MessagingClient } from '../../messaging/client.js';

export function watchContactProfiles(
  client: MessagingClient,
  kv: AccountKv,
  clock: () => number,
): Array<() => void> {
  const profiles = new ContactProfiles({
    messages: client.store,
    kv,
    request: client.accountRequest,
    anonymousRequest: client.anonymousRequest,
    exclusive: (write) => client.runExclusive(write),
    clock,
  });
  return [client.on('conversation.updated', (conversation) => profiles.refreshInBackground(conversation))];
}
