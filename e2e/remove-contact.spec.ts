import { randomInt } from 'node:crypto';
import { expect, snap, test } from './fixtures.js';
import { createProfile, lock, register, send, startChat, unlock } from './support/flows.js';

const PASS = 'stale contacts 48 quiet river';

test.use({ demoNetwork: true });

test('remove contacts: keep the history (shown as not a contact) or delete it (gone from the list)', async ({
  app,
  demo,
}) => {
  const { page } = app;
  const echo = await demo!.createContact('Echo', { echo: true });
  const old = await demo!.createContact('Old Colleague');
  await createProfile(page, PASS);
  await register(page, `+1555${String(randomInt(1_000_000, 9_999_999))}`);
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 20_000 });

  const sidebar = page.getByRole('complementary', { name: 'Conversations' });
  await startChat(page, old.aci, 'Old Colleague');
  await send(page, 'a note before removing');
  await expect(
    page.getByRole('log', { name: 'Messages with Old Colleague' }).getByText('a note before removing'),
  ).toBeVisible();
  await startChat(page, echo.aci, 'Echo');
  await send(page, 'hello once');
  const echoLog = page.getByRole('log', { name: 'Messages with Echo' });
  await expect(echoLog.getByText('Echo: hello once')).toBeVisible({ timeout: 20_000 });

  // Remove Echo, keeping the history: the dialog explains the profile key rotation; Cancel changes nothing.
  await page.getByRole('button', { name: 'Remove contact…' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Remove Echo from your contacts?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('the key they have can no longer open your profile');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Remove contact…' })).toBeFocused();

  await page.getByRole('button', { name: 'Remove contact…' }).click();
  await snap(page, 'remove-contact-dialog');
  await dialog.getByRole('button', { name: 'Remove contact', exact: true }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('note')).toContainText('Echo is not in your contacts');
  await expect(page.getByRole('button', { name: 'Remove contact…' })).toHaveCount(0);
  const echoRow = sidebar.getByRole('button', { name: /Echo/ });
  await expect(echoRow).toContainText('Not a contact');
  // The history stays.
  await expect(echoLog.getByText('Echo: hello once')).toBeVisible();
  await snap(page, 'remove-contact-kept-history');

  // Remove the old colleague with the history: the conversation disappears from the list.
  await sidebar.getByRole('button', { name: /Old Colleague/ }).click();
  await expect(page.getByRole('heading', { name: 'Old Colleague' })).toBeVisible();
  await page.getByRole('button', { name: 'Remove contact…' }).click();
  const second = page.getByRole('alertdialog', { name: 'Remove Old Colleague from your contacts?' });
  await second.getByLabel('Also delete the conversation and its messages from this computer').check();
  await second.getByRole('button', { name: 'Remove contact', exact: true }).click();
  await expect(sidebar.getByRole('button', { name: /Old Colleague/ })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Old Colleague' })).toHaveCount(0);
  await expect(page.getByText('a note before removing')).toHaveCount(0);
  await expect(sidebar.getByRole('button', { name: /Echo/ })).toBeVisible();
  await snap(page, 'remove-contact-deleted');

  // Lock and unlock (the UI state is rebuilt from the core): still gone, Echo still not a contact.
  await lock(page);
  await unlock(page, PASS);
  await expect(sidebar.getByRole('button', { name: /Echo/ })).toContainText('Not a contact');
  await expect(sidebar.getByRole('button', { name: /Old Colleague/ })).toHaveCount(0);
});
