/**
 * Issue 18 in the app: the duress passphrase set in Settings → Danger zone, then entered at the unlock
 * screen, opens an empty profile (the real passphrase no longer opens anything); "Erase everything now"
 * with its typed confirmation leaves the first-run screen.
 */
import { expect, test } from './fixtures.js';
import { createProfile, lock, unlock } from './support/flows.js';

const PASS = 'copper lantern 58 harbour fog';
const DURESS = 'violet anchor 26 quiet meadow';

test('the duress passphrase erases the profile and opens an empty one', async ({ app }) => {
  const { page } = app;
  await createProfile(page, PASS);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByText('None is set.')).toBeVisible();
  await page.getByLabel('Your passphrase, to confirm it is you').fill(PASS);
  await page.getByLabel('Duress passphrase (different from your passphrase)').fill(DURESS);
  await page.getByRole('button', { name: 'Set duress passphrase' }).click();
  await expect(page.getByText('Duress passphrase set.')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('One is set.')).toBeVisible();
  await lock(page);

  await unlock(page, DURESS); // looks like any unlock
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByText('None is set.')).toBeVisible();
  await lock(page);
  await page.getByLabel('Passphrase').fill(PASS);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('alert')).toHaveAttribute('data-error-code', 'WRONG_PASSPHRASE');
});

test('"Erase everything now" needs the typed word and leaves a new first run', async ({ app }) => {
  const { page } = app;
  await createProfile(page, PASS);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const erase = page.getByRole('button', { name: 'Erase everything now' });
  await expect(erase).toBeDisabled();
  await page.getByLabel('Type ERASE to confirm').fill('erase');
  await expect(erase).toBeDisabled();
  await page.getByLabel('Type ERASE to confirm').fill('ERASE');
  await erase.click();
  await expect(page.getByRole('button', { name: 'Create encrypted profile' })).toBeVisible({
    timeout: 30_000,
  });
  await app.restart();
  await expect(page.getByRole('button', { name: 'Create encrypted profile' })).toBeVisible({
    timeout: 30_000,
  });
});
