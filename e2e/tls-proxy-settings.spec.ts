import { expect, test } from './fixtures.js';

const PASS = 'amber relay 20 harbour light';

test('a Signal TLS proxy is set by pasting its link; a link that is not one is explained', async ({
  app,
}) => {
  const { page } = app;
  await page.getByLabel('Passphrase', { exact: true }).fill(PASS);
  await page.getByLabel('Repeat passphrase').fill(PASS);
  await page.getByRole('button', { name: 'Create encrypted profile' }).click();
  await page.getByRole('button', { name: 'Settings', exact: true }).click();

  await page.getByLabel('Signal TLS proxy', { exact: true }).check();
  const link = page.getByLabel('Paste a proxy link');
  await link.fill('https://example.org/#proxy.example.org');
  await expect(page.getByRole('alert').filter({ hasText: 'This is not a Signal proxy link' })).toBeVisible();

  await link.fill('https://signal.tube/#proxy.example.org:8443');
  await expect(page.getByRole('alert').filter({ hasText: 'proxy link' })).toHaveCount(0);
  await expect(page.getByLabel('Proxy host')).toHaveValue('proxy.example.org');
  await expect(page.getByLabel('Port (optional)')).toHaveValue('8443');
  await page.getByRole('button', { name: 'Save proxy' }).click();
  await expect(page.getByText('Proxy saved.')).toBeVisible();
});
