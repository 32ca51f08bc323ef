import { expect, test } from './fixtures.js';

const PASS = 'keyboard only 55 green door';

test('keyboard only: create the profile, reach the settings, lock and unlock', async ({ app }) => {
  const { page } = app;
  // The passphrase field has focus on arrival.
  await expect(page.getByLabel('Passphrase', { exact: true })).toBeFocused();
  await page.keyboard.type(PASS);
  await page.keyboard.press('Tab'); // → repeat field (the meter is not focusable)
  await expect(page.getByLabel('Repeat passphrase')).toBeFocused();
  await page.keyboard.type(PASS);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Lock Carapace now' })).toBeVisible({ timeout: 30_000 });

  // Tab through the top bar to "Settings" and open it with the keyboard.
  const settings = page.getByRole('button', { name: 'Settings', exact: true });
  const focusedText = () =>
    page.evaluate<string | null>('document.activeElement ? document.activeElement.textContent : null');
  for (let i = 0; i < 10 && (await focusedText()) !== 'Settings'; i++) {
    await page.keyboard.press('Tab');
  }
  await expect(settings).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Settings', exact: true })).toBeVisible();

  // Lock with the keyboard; the unlock field takes focus; Enter unlocks.
  const lock = page.getByRole('button', { name: 'Lock Carapace now' });
  await lock.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Passphrase')).toBeFocused();
  await page.keyboard.type(PASS);
  await page.keyboard.press('Enter');
  await expect(lock).toBeVisible({ timeout: 30_000 });
});
