import { expect, test } from './fixtures.js';

const PASS = 'keyboard only 55 green door';

test('keyboard only: create the profile, reach the settings, lock and unlock', async ({ app }) => {
  const { page } = app;
  // The passphrase field has focus on arrival.
  const firstRun = page.getByRole('main', { name: 'Welcome to Carapace' });
  await expect(firstRun.getByLabel('Passphrase', { exact: true })).toBeFocused();
  await page.keyboard.type(PASS);
  await page.keyboard.press('Tab'); // → repeat field (the meter is not focusable)
  await expect(firstRun.getByLabel('Repeat passphrase')).toBeFocused();
  await page.keyboard.type(PASS);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Lock Carapace now' })).toBeVisible({ timeout: 30_000 });

  // Tab through the top bar to "Settings" and open it with the keyboard. Where the first Tab lands depends
  // on where focus was when the first-run form went away, so press Tab until the Settings button itself
  // (not just any element whose text is "Settings") has focus; the final assertion auto-waits.
  const settings = page.getByRole('button', { name: 'Settings', exact: true });
  // Runs in the page; typed without DOM types (the Node tsconfig has none).
  type PageGlobals = { document: { activeElement: unknown } };
  const settingsFocused = () =>
    settings.evaluate((el) => el === (globalThis as unknown as PageGlobals).document.activeElement);
  for (let i = 0; i < 20 && !(await settingsFocused()); i++) {
    await page.keyboard.press('Tab');
  }
  await expect(settings).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Settings', exact: true })).toBeVisible();

  // Lock with the keyboard; the unlock field takes focus; Enter unlocks.
  const lock = page.getByRole('button', { name: 'Lock Carapace now' });
  await lock.focus();
  await page.keyboard.press('Enter');
  // The race that made this flaky under load: `page.getByLabel('Passphrase')` also matches the Settings
  // screen's passphrase form ("Passphrase", "Current passphrase", "New passphrase"), which stays on screen
  // until the core's vault.locked event arrives. Asserting before then was a strict-mode violation (an
  // immediate failure, not retried). Scoped to the lock screen, the locator resolves only once it shows.
  const lockScreen = page.getByRole('main', { name: 'Carapace is locked' });
  await expect(lockScreen.getByLabel('Passphrase', { exact: true })).toBeFocused();
  await page.keyboard.type(PASS);
  await page.keyboard.press('Enter');
  await expect(lock).toBeVisible({ timeout: 30_000 });
});
