import { IdentityKeyPair } from '@signalapp/libsignal-client';
import { expect, snap, test } from './fixtures.js';
import { createProfile, lock, register, send, startChat, unlock } from './support/flows.js';
import { Vault } from '../src/vault/index.js';
import { SignalProtocolStores, VerifiedStatus } from '../src/signal/stores/index.js';
import { demoNumber } from './support/chat-with-contact.js';

const PASS = 'violet harbor 62 paper moon';

test.use({ demoNetwork: true });

test('register → chat with an echo contact both ways → lock clears the UI → unlock → history back', async ({
  app,
  demo,
}) => {
  const { page } = app;
  const echo = await demo!.createContact('Echo', { echo: true });
  await createProfile(page, PASS);
  await expect(page.getByText('Demo network', { exact: true })).toBeVisible();
  await register(page, demoNumber());
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 20_000 });
  await startChat(page, echo.aci, 'Echo');

  await send(page, 'hello through the mock server');
  const timeline = page.getByRole('log', { name: 'Messages with Echo' });
  await expect(timeline.getByText('hello through the mock server', { exact: true })).toBeVisible();
  await expect(timeline.getByText('Echo: hello through the mock server')).toBeVisible({ timeout: 20_000 });
  // Read at once in the open, visible chat: no toast (the toast and its privacy: reading-state.spec).
  await expect(page.getByRole('status').getByText('New message')).toHaveCount(0);
  await snap(page, 'chat-echo');

  await lock(page);
  const html = await page.content();
  expect(html).not.toContain('hello through the mock server');
  expect(html).not.toContain('Echo');
  await snap(page, 'chat-locked');

  await unlock(page, PASS);
  await page.getByRole('button', { name: /Echo/ }).click();
  await expect(
    page.getByRole('log', { name: 'Messages with Echo' }).getByText('Echo: hello through the mock server'),
  ).toBeVisible();

  // Per-chat disappearing-messages override: set it, and new messages carry the timer.
  await page.getByLabel('Disappearing messages', { exact: true }).selectOption('3600');
  await expect(page.getByLabel('Disappearing messages', { exact: true })).toHaveValue('3600');
  await send(page, 'this one disappears');
  const row = page.locator('.bubble.out').filter({ hasText: 'this one disappears' });
  await expect(row).toContainText('disappearing');
});

test('verify a safety number; an identity change shows a warning and blocks sending until accepted', async ({
  app,
  demo,
  profileDir,
}) => {
  const { page } = app;
  const echo = await demo!.createContact('Echo', { echo: true });
  await createProfile(page, PASS);
  await register(page, demoNumber());
  await startChat(page, echo.aci, 'Echo');
  await send(page, 'first contact');
  const timeline = page.getByRole('log', { name: 'Messages with Echo' });
  await expect(timeline.getByText('Echo: first contact')).toBeVisible({ timeout: 20_000 });

  // Safety number: 12 groups of 5 digits and a QR code; mark verified.
  await page.getByRole('button', { name: 'Safety number' }).click();
  await expect(page.getByRole('heading', { name: 'Safety number with Echo' })).toBeVisible();
  const groups = page.locator('.safety-group');
  await expect(groups).toHaveCount(12);
  for (const text of await groups.allTextContents()) expect(text).toMatch(/^\d{5}$/);
  await expect(page.getByRole('img', { name: 'QR code of the safety number' })).toBeVisible();
  await page.getByRole('button', { name: 'Mark as verified' }).click();
  await expect(page.getByText('Status: Verified')).toBeVisible();
  await snap(page, 'safety-number-verified');
  await page.getByRole('button', { name: '← Back to chat' }).click();
  await expect(page.getByRole('button', { name: /Echo/ })).toContainText('✓');

  // The contact "reinstalls": as far as our vault knows, we had verified a different key for them.
  const account = await app.service().call('account.status', {});
  if (!account.ok || !account.value.aci) throw new Error('not registered');
  await lock(page);
  const vault = new Vault(profileDir, app.kdf ? { kdf: app.kdf } : {});
  await vault.unlock(Buffer.from(PASS));
  const stores = new SignalProtocolStores(vault.db);
  stores.aci.identity.saveRemoteIdentity(echo.aci, IdentityKeyPair.generate().publicKey);
  stores.aci.identity.consumeIdentityChanges(stores.aci.identity.pendingIdentityChanges().map((e) => e.id));
  stores.aci.identity.setVerified(echo.aci, VerifiedStatus.Verified);
  stores.dispose();
  vault.lock('shutdown');
  await unlock(page, PASS);

  // Their next message carries their real key: a change of a verified identity.
  const ours = await demo!.server.getDeviceByServiceId(account.value.aci as never);
  if (!ours) throw new Error('our device is unknown to the mock server');
  await echo.device.sendText(ours, 'new phone who dis', { sealed: false, withProfileKey: true });
  await page.getByRole('button', { name: /Echo/ }).click();
  const warning = page.getByRole('alert').filter({ hasText: 'The safety number with Echo has changed' });
  await expect(warning).toBeVisible({ timeout: 20_000 });
  await expect(
    page
      .getByRole('log', { name: 'Messages with Echo' })
      .getByText('The safety number with this contact changed.'),
  ).toBeVisible();
  await snap(page, 'identity-changed');

  await send(page, 'are you really echo?');
  await expect(page.locator('[data-error-code="UNTRUSTED_IDENTITY"]')).toBeVisible();
  await page.getByRole('button', { name: 'Accept the new safety number' }).click();
  await expect(warning).toHaveCount(0);
  await send(page, 'ok, accepted');
  await expect(
    page.getByRole('log', { name: 'Messages with Echo' }).getByText('Echo: ok, accepted'),
  ).toBeVisible({
    timeout: 20_000,
  });
});

test('a stranger’s first message is held as a request until accepted', async ({ app, demo }) => {
  const { page } = app;
  const stranger = await demo!.createContact('Stranger');
  await createProfile(page, PASS);
  await register(page, demoNumber());
  const account = await app.service().call('account.status', {});
  if (!account.ok || !account.value.aci) throw new Error('not registered');
  const ours = await demo!.server.getDeviceByServiceId(account.value.aci as never);
  if (!ours) throw new Error('our device is unknown to the mock server');
  // The simulated phone fetches one of our prekeys and writes to us first.
  const key = await ours.popSingleUseKey();
  await stranger.device.addSingleUseKey(ours, key);
  await stranger.device.sendText(ours, 'hi, we have not met', { sealed: false, withProfileKey: true });

  const entry = page.getByRole('listitem').filter({ hasText: 'hi, we have not met' });
  await expect(entry).toBeVisible({ timeout: 20_000 });
  await entry.getByRole('button').click();
  const request = page.getByRole('region', { name: 'Message request' });
  await expect(request).toBeVisible();
  await snap(page, 'message-request');
  await request.getByRole('button', { name: 'Accept' }).click();
  await expect(request).toHaveCount(0);
});
