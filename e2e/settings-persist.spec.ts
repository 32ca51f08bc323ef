import { expect, snap, test } from './fixtures.js';

const PASS = 'copper lantern 58 window frost';

test('settings persist across a restart of the app on the same profile', async ({ app }) => {
  const { page } = app;
  await page.getByLabel('Passphrase', { exact: true }).fill(PASS);
  await page.getByLabel('Repeat passphrase').fill(PASS);
  await page.getByRole('button', { name: 'Create encrypted profile' }).click();
  await page.getByRole('button', { name: 'Settings', exact: true }).click();

  // Hardened defaults.
  await expect(page.getByLabel(/Generate link previews/)).not.toBeChecked();
  await expect(page.getByLabel('Notification content')).toHaveValue('no-name-or-message');
  await expect(page.getByTestId('screen-security-note')).toContainText('not available on Linux');
  await expect(page.getByLabel('Send read receipts')).toBeChecked(); // Signal's default

  await page.getByLabel('Send read receipts').click();
  await expect(page.getByLabel('Send read receipts')).not.toBeChecked();

  await page.getByLabel('Disappearing messages (default for new chats)').selectOption('604800');
  await page.getByLabel('Notification content').selectOption('name-only');
  await page.getByLabel('Lock automatically after inactivity').selectOption('900');
  await page.getByLabel('Messages from unknown senders').selectOption('drop');
  await page.getByLabel('SOCKS5 proxy').check();
  await page.getByLabel('Host').fill('10.0.0.7');
  await page.getByLabel('Port').fill('9150');
  await page.getByRole('button', { name: 'Save proxy' }).click();
  await expect(page.getByText('Proxy saved.')).toBeVisible();

  // Invalid input is refused with an explanation, nothing saved.
  await page.getByLabel('Port').fill('70000');
  await page.getByRole('button', { name: 'Save proxy' }).click();
  await expect(page.getByRole('alert').first()).toContainText('not valid');
  await snap(page, 'settings');

  await app.restart();
  await expect(page.getByRole('heading', { name: 'Carapace is locked' })).toBeVisible();
  await page.getByLabel('Passphrase').fill(PASS);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByLabel('Disappearing messages (default for new chats)')).toHaveValue('604800');
  await expect(page.getByLabel('Notification content')).toHaveValue('name-only');
  await expect(page.getByLabel('Lock automatically after inactivity')).toHaveValue('900');
  await expect(page.getByLabel('Messages from unknown senders')).toHaveValue('drop');
  await expect(page.getByLabel('SOCKS5 proxy')).toBeChecked();
  await expect(page.getByLabel('Host')).toHaveValue('10.0.0.7');
  await expect(page.getByLabel('Port')).toHaveValue('9150');
  await expect(page.getByLabel(/Generate link previews/)).not.toBeChecked();
  await expect(page.getByLabel('Send read receipts')).not.toBeChecked();
  await snap(page, 'settings-after-restart');
});
