/**
 * Issue 15, groups in the UI on the demo network: create a group with simulated contacts (Echo answers in
 * the group, under its name), message details per member, group settings (rename), leaving; and an
 * invitation from simulated contacts (workshop scenario `group-invitation`) accepted from the banner.
 * Each screen at 1280×800 and 640×480, light and dark, with an axe scan. Web project only (the simulated
 * side runs in the test's process).
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';
import { createProfile, register, send, startChat } from './support/flows.js';
import { groupScreen } from './support/group-shots.js';
import { chooseAction, messageWith } from './support/message-actions.js';
import { demoNumber } from './support/other-accounts.js';

const PASS = 'quiet harbour 42 amber finch';

test.use({ demoNetwork: true });

/**
 * Registered with a profile name, as the guided first run has the user do: the profile (and its key
 * commitment) is uploaded then, and a group's server needs it to accept us as a member.
 */
async function registerWithName(page: Page, name: string): Promise<void> {
  await createProfile(page, PASS);
  await register(page, demoNumber());
  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await page.getByLabel('First name').fill(name);
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Profile saved.' })).toBeVisible({
    timeout: 20_000,
  });
  await page.getByRole('button', { name: 'Chats', exact: true }).click();
}

/** A 1:1 chat with the contact, and their answer: from then on we hold their profile key. */
async function befriend(page: Page, aci: string, name: string): Promise<void> {
  await startChat(page, aci, name);
  await send(page, `hello ${name}`);
  await expect(page.getByRole('log').getByText(`Echo: hello ${name}`)).toBeVisible({ timeout: 20_000 });
}

function header(page: Page) {
  return page.locator('.conversation-header');
}

test('create a group, talk in it, see who answers, rename it, add a member, leave it', async ({
  app,
  demo,
  appKind,
}) => {
  test.skip(appKind !== 'web', 'the simulated contacts run in this test process (web harness only)');
  test.setTimeout(300_000);
  const { page } = app;
  await page.setViewportSize({ width: 1280, height: 800 });
  const alice = await demo!.createContact('Alice', { echo: true });
  const bob = await demo!.createContact('Bob', { echo: true });
  const carol = await demo!.createContact('Carol', { echo: true });
  await registerWithName(page, 'Robin');
  await befriend(page, alice.aci, 'Alice');
  await befriend(page, bob.aci, 'Bob');
  await befriend(page, carol.aci, 'Carol');

  // New group: name with its counter, contacts found by search and ticked from the keyboard.
  await page.getByRole('button', { name: 'New group…' }).click();
  const dialog = page.getByRole('dialog', { name: 'New group' });
  await dialog.getByLabel('Group name').fill('Book club');
  await expect(dialog.getByText('9 of 32 characters')).toBeVisible();
  await dialog.getByLabel('Search contacts').fill('ali');
  await expect(dialog.getByRole('checkbox')).toHaveCount(1);
  await dialog.getByRole('checkbox', { name: 'Alice' }).focus();
  await page.keyboard.press('Space');
  await dialog.getByLabel('Search contacts').fill('');
  await expect(dialog.getByRole('checkbox')).toHaveCount(3);
  await dialog.getByRole('checkbox', { name: 'Bob' }).check();
  await expect(dialog.getByText('2 contacts chosen')).toBeVisible();
  await groupScreen(page, 'group-new');
  await dialog.getByRole('button', { name: 'Create group' }).click();

  await expect(header(page).getByRole('heading', { name: /Book club/ })).toBeVisible({ timeout: 30_000 });
  const log = page.getByRole('log', { name: 'Messages with Book club' });
  await expect(log.getByText('You created the group.')).toBeVisible();
  const row = page.locator('.conversation-list').getByRole('button', { name: /Group.*Book club/ });
  await expect(row).toBeVisible();

  // Both members answer in the group; each answer is headed by its author's name.
  await send(page, 'hi all');
  await expect(messageWith(log, 'Echo: hi all')).toHaveCount(2, { timeout: 30_000 });
  await expect(log.locator('.sender-name', { hasText: 'Alice' })).toBeVisible();
  await expect(log.locator('.sender-name', { hasText: 'Bob' })).toBeVisible();
  await expect(header(page).getByRole('button', { name: /3 members/ })).toBeVisible();
  await groupScreen(page, 'group-conversation');

  // Message details: each member's delivery of our message.
  await chooseAction(messageWith(log, 'hi all'), 'Details');
  const details = page.getByRole('dialog', { name: 'Message details' });
  const recipients = details.getByRole('list', { name: 'Delivery to each member' });
  await expect(recipients.getByRole('listitem')).toHaveCount(2, { timeout: 20_000 });
  await expect(recipients).toContainText('Alice');
  await expect(recipients).toContainText('Bob');
  await groupScreen(page, 'group-message-details');
  await page.keyboard.press('Escape');
  await expect(details).toHaveCount(0);

  // Settings: members with roles; rename.
  await header(page)
    .getByRole('button', { name: /3 members/ })
    .click();
  const settings = page.getByRole('region', { name: 'Group settings' });
  await expect(settings.getByRole('heading', { name: '3 members' })).toBeVisible({ timeout: 20_000 });
  await expect(settings.locator('.group-member', { hasText: 'You' }).getByText('Admin')).toBeVisible();
  await expect(settings.getByRole('button', { name: 'Safety number with Alice' })).toBeVisible();
  await groupScreen(page, 'group-settings');
  await settings.getByLabel('Group name').fill('Reading circle');
  await settings.getByRole('button', { name: 'Save name' }).click();
  await expect(header(page).getByRole('heading', { name: /Reading circle/ })).toBeVisible({
    timeout: 20_000,
  });

  // Add a member: Carol is invited (her phone accepts on its own) and listed in the group.
  await settings.getByRole('button', { name: 'Add members…' }).click();
  const add = page.getByRole('dialog', { name: 'Add members to Reading circle' });
  await expect(add.getByRole('checkbox')).toHaveCount(1);
  await add.getByRole('checkbox', { name: 'Carol' }).check();
  await add.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(add).toHaveCount(0, { timeout: 30_000 });
  await expect(settings.locator('.group-member', { hasText: 'Carol' })).toBeVisible({ timeout: 20_000 });

  // Leave, after a confirmation: no composer any more, the history stays.
  await page.getByRole('button', { name: 'Leave group…' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Leave Reading circle?' });
  await expect(confirm).toBeVisible();
  await groupScreen(page, 'group-leave-confirm');
  await confirm.getByRole('button', { name: 'Leave group' }).click();
  await expect(page.getByText('You are no longer a member of this group.')).toBeVisible({ timeout: 20_000 });
  await page.getByRole('button', { name: '← Back to chat' }).click();
  const after = page.getByRole('log', { name: 'Messages with Reading circle' });
  await expect(after.getByText('You left the group.')).toBeVisible({ timeout: 20_000 });
  await expect(after.getByText('You changed the group name to “Reading circle”.')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'You left this group.' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Message', exact: true })).toHaveCount(0);
  await groupScreen(page, 'group-left');
});

test('an invitation from simulated contacts: seen as a request, accepted from the banner', async ({
  app,
  appKind,
}) => {
  test.skip(appKind !== 'web', 'the simulated contacts run in this test process (web harness only)');
  test.setTimeout(240_000);
  const { page } = app;
  await page.setViewportSize({ width: 1280, height: 800 });
  await registerWithName(page, 'Robin');

  await page.getByRole('button', { name: 'Workshop', exact: true }).click();
  await page.getByRole('button', { name: 'You are invited to a group' }).click();
  await expect(page.locator('.workshop-done')).toContainText('open Chats to show it', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Chats', exact: true }).click();

  const row = page.locator('.conversation-list').getByRole('button', { name: /Invitation to join/ });
  await expect(row).toBeVisible({ timeout: 30_000 });
  await row.click();
  const banner = page.getByRole('region', { name: 'Group invitation' });
  await expect(banner).toContainText('invited you to');
  // Nothing said in the group shows before accepting.
  await expect(page.getByRole('log')).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: 'Message', exact: true })).toHaveCount(0);
  await groupScreen(page, 'group-invitation');

  await banner.getByRole('button', { name: 'Accept' }).click();
  await expect(banner).toHaveCount(0, { timeout: 30_000 });
  const log = page.getByRole('log', { name: /^Messages with / });
  await expect(log).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Message', exact: true })).toBeVisible();
  await expect(log.locator('.sender-name').first()).toBeVisible({ timeout: 30_000 });
  // Members are named from the profile keys in the group state: authors, the reactor, the list's prefix.
  await expect(log.locator('.sender-name', { hasText: 'Bob' }).first()).toBeVisible({ timeout: 30_000 });
  await expect(log.locator('.sender-name', { hasText: 'Unknown contact' })).toHaveCount(0);
  await expect(log.getByRole('button', { name: /from Bob/ })).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('.conversation-list .preview', { hasText: /^Bob: / })).toBeVisible();
  await groupScreen(page, 'group-invitation-accepted');
});
