/**
 * Issue 16 "done when": profile A sets a username and a profile name on its account screen; a SECOND
 * Carapace profile (its own harness, vault and page on the same demo network) finds A by that username
 * alone — no phone number shared — and they chat both ways, each seeing the other's profile name.
 * Web project only (the second app is a second web harness).
 */
import type { Page } from '@playwright/test';
import { expect, snap, test } from './fixtures.js';
import { createProfile, register, send } from './support/flows.js';
import { demoNumber, openSecondApp } from './support/other-accounts.js';

const PASS_A = 'copper meadow 58 evening bell';
const PASS_B = 'granite river 24 paper crane';

test.use({ demoNetwork: true });

async function setProfileName(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await page.getByLabel('First name').fill(name);
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Profile saved.' })).toBeVisible({
    timeout: 20_000,
  });
}

test('A sets a username; a second Carapace profile finds it by username and they chat', async ({
  app,
  demo,
  appKind,
}) => {
  test.skip(appKind !== 'web', 'the second profile is a second web harness');
  test.setTimeout(120_000);
  const a = app.page;
  await createProfile(a, PASS_A);
  await register(a, demoNumber());
  await setProfileName(a, 'Ada');
  await a.getByLabel('Username', { exact: true }).fill('ada_carapace');
  await a.getByRole('button', { name: 'Check availability' }).click();
  const held = a.getByRole('status').filter({ hasText: 'is free and held for you' });
  await expect(held).toBeVisible({ timeout: 20_000 });
  const username = (await held.locator('strong').textContent()) ?? '';
  await a.getByRole('button', { name: `Use ${username}` }).click();
  await expect(
    a.getByRole('region', { name: 'Username and link' }).getByText(username, { exact: true }),
  ).toBeVisible({ timeout: 20_000 });

  const browser = a.context().browser();
  if (!browser) throw new Error('no browser');
  const second = await openSecondApp(browser, demo!);
  try {
    const b = second.page;
    await createProfile(b, PASS_B);
    await register(b, demoNumber());
    await setProfileName(b, 'Bea');
    await b.getByRole('button', { name: 'Chats', exact: true }).click();
    await b.getByLabel('New chat', { exact: true }).fill(username);
    await b.getByRole('button', { name: 'Start', exact: true }).click();
    await expect(b.getByRole('log', { name: /^Messages with / })).toBeVisible({ timeout: 20_000 });
    await send(b, 'hello Ada, found you by username');

    // A gets it as a message request (Bea is a stranger to A), accepts it and sees her profile name.
    await a.getByRole('button', { name: 'Chats', exact: true }).click();
    const entry = a.getByRole('listitem').filter({ hasText: 'hello Ada, found you by username' });
    await expect(entry).toBeVisible({ timeout: 20_000 });
    await entry.getByRole('button').click();
    await a.getByRole('region', { name: 'Message request' }).getByRole('button', { name: 'Accept' }).click();
    await expect(a.getByRole('heading', { name: 'Bea', exact: true })).toBeVisible({ timeout: 20_000 });
    await send(a, 'hello Bea, no phone numbers needed');
    // A's answer carries A's profile key: B's chat is now titled with A's profile name.
    await expect(b.getByRole('heading', { name: 'Ada', exact: true })).toBeVisible({ timeout: 20_000 });
    await expect(
      b.getByRole('log', { name: 'Messages with Ada' }).getByText('hello Bea, no phone numbers needed'),
    ).toBeVisible({ timeout: 20_000 });
    await snap(a, 'username-chat-a');
    await snap(b, 'username-chat-b');
  } finally {
    await second.close();
  }
});
