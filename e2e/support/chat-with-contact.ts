/** The start most demo-network specs share: a new profile, registered, online, in a chat with a new contact. */
import { randomInt } from 'node:crypto';
import type { DemoContact, DemoNetwork } from '../../src/demo/network.js';
import { expect, type AppHandle } from '../fixtures.js';
import { createProfile, register, startChat } from './flows.js';

/** A random number in the demo network's fictional 555 range. */
export function demoNumber(): string {
  return `+1555${String(randomInt(1_000_000, 9_999_999))}`;
}

/**
 * Creates the profile with `passphrase`, registers a fresh number and waits until connected, then opens a
 * chat with a new demo contact called `name`. Resolves with the contact and our ACI (for the contact to
 * message us).
 */
export async function registeredChatWith(
  app: AppHandle,
  demo: DemoNetwork,
  name: string,
  passphrase: string,
): Promise<{ contact: DemoContact; ourAci: string }> {
  const { page } = app;
  const contact = await demo.createContact(name);
  await createProfile(page, passphrase);
  await register(page, demoNumber());
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 20_000 });
  await startChat(page, contact.aci, name);
  const account = await app.service().call('account.status', {});
  if (!account.ok || !account.value.aci) throw new Error('not registered');
  return { contact, ourAci: account.value.aci };
}
