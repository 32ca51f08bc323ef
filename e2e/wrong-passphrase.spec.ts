import { expect, snap, test } from './fixtures.js';
import { createProfile, lock, unlock } from './support/flows.js';

const PASS = 'silver kettle 93 morning tide';

test('a wrong passphrase gets a clear message and nothing opens', async ({ app }) => {
  const { page } = app;
  await page.getByLabel('Passphrase', { exact: true }).fill(PASS);
  await page.getByLabel('Repeat passphrase').fill(PASS);
  await page.getByRole('button', { name: 'Create encrypted profile' }).click();
  await page.getByRole('button', { name: 'Lock Carapace now' }).click();

  await page.getByLabel('Passphrase').fill('silver kettle 93 evening tide');
  await page.getByRole('button', { name: 'Unlock' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('That passphrase is not correct');
  await expect(alert).toHaveAttribute('data-error-code', 'WRONG_PASSPHRASE');
  await expect(page.getByRole('heading', { name: 'Carapace is locked' })).toBeVisible();
  await snap(page, 'wrong-passphrase');

  // Hammering gets throttled (growing delay, persisted by the vault): a live countdown, Unlock disabled.
  for (let i = 0; i < 3; i++) {
    await page.getByLabel('Passphrase').fill(`wrong guess ${i} for sure`);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
  }
  await expect(page.getByTestId('unlock-countdown')).toContainText('You can try again in');
  await page.getByLabel('Passphrase').fill(PASS);
  await expect(page.getByRole('button', { name: 'Unlock' })).toBeDisabled();
  await snap(page, 'unlock-throttled');
});

test('changing the passphrase: the old one stops working, the new one opens the vault', async ({ app }) => {
  const { page } = app;
  await createProfile(page, PASS);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const next = 'indigo paddle 71 winter sun';
  // The passphrase form (the danger zone has its own "Current passphrase").
  const form = page.getByRole('form', { name: 'Passphrase', exact: true });
  await form.getByLabel('Current passphrase').fill(PASS);
  await form.getByLabel('New passphrase', { exact: true }).fill(next);
  await form.getByLabel('Repeat new passphrase').fill(next);
  await page.getByRole('button', { name: 'Change passphrase' }).click();
  await expect(page.getByText('Passphrase changed.')).toBeVisible({ timeout: 30_000 });
  await lock(page);
  await page.getByLabel('Passphrase').fill(PASS);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('alert')).toHaveAttribute('data-error-code', 'WRONG_PASSPHRASE');
  await unlock(page, next);
});
