/**
 * Issue 17, "Broken" items 1–5: registration a newcomer can finish, the connection status of a fresh
 * window, a send that fails because the proxy is down, error texts said once, validation errors that name
 * and mark the field.
 */
import { expect, snap, test } from './fixtures.js';
import { createProfile, lock, register, startChat } from './support/flows.js';
import { startHarness } from './harness/server.js';
import { TEST_KDF } from '../src/test-support/vault.js';
import { demoNumber } from './support/chat-with-contact.js';

const PASS = 'amber ferry 47 quiet dune';

test.describe('on the demo network', () => {
  test.use({ demoNetwork: true });

  test('registration says what to enter on the demo network and pre-fills it', async ({ app }) => {
    const { page } = app;
    await createProfile(page, PASS);
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByLabel('Phone number', { exact: true }).fill(demoNumber());
    await page.getByRole('button', { name: 'Continue' }).click();
    const captcha = page.getByLabel('Captcha token');
    await expect(captcha).not.toHaveValue('');
    await expect(page.getByRole('note')).toContainText('demo network');
    await snap(page, 'registration-demo-captcha');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByLabel('Verification code (6 digits)')).toHaveValue('111111');
    await expect(page.getByRole('note')).toContainText('111111');
    await page.getByRole('button', { name: 'Register', exact: true }).last().click();
    await expect(page.getByRole('button', { name: 'Register' })).toHaveCount(0);
  });

  test('a freshly opened window shows the current connection status', async ({
    webBrowser,
    profileDir,
    demo,
  }) => {
    const harness = await startHarness({ profileDir, demoNetwork: demo!, vault: { kdf: TEST_KDF } });
    try {
      const first = await webBrowser!.newContext();
      const page = await first.newPage();
      await page.goto(harness.url);
      await createProfile(page, PASS);
      await register(page, demoNumber());
      await expect(page.locator('.net')).toHaveText('Connected', { timeout: 20_000 });
      await first.close();

      // A new window while the session stays connected: no status change will come.
      const second = await webBrowser!.newContext();
      const fresh = await second.newPage();
      await expect(async () => {
        await fresh.goto(harness.url);
        await expect(fresh.getByRole('button', { name: 'Lock Carapace now' })).toBeVisible({ timeout: 3000 });
      }).toPass({ timeout: 20_000 });
      await expect(fresh.locator('.net')).toHaveText('Connected');
      await second.close();
    } finally {
      await harness.close();
    }
  });

  test('sending with the proxy down keeps the text and says why, with a link to the proxy settings', async ({
    app,
    demo,
  }) => {
    const { page } = app;
    const echo = await demo!.createContact('Echo', { echo: true });
    await createProfile(page, PASS);
    await register(page, demoNumber());
    await startChat(page, echo.aci, 'Echo');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page.getByLabel('SOCKS5 proxy').check();
    await page.getByLabel('Host').fill('127.0.0.1');
    await page.getByLabel('Port').fill('9');
    await page.getByRole('button', { name: 'Save proxy' }).click();
    await expect(page.locator('.net')).toHaveText(/Proxy unreachable/, { timeout: 20_000 });
    await page.getByRole('button', { name: 'Chats', exact: true }).click();
    await page.getByRole('button', { name: /Echo/ }).first().click();

    const composer = page.getByRole('textbox', { name: 'Message', exact: true });
    await composer.fill('this must not go direct');
    await page.getByRole('button', { name: 'Send' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Not sent');
    await expect(alert).toContainText('never connects directly');
    await expect(alert).not.toContainText('not available in this build');
    await expect(composer).toHaveValue('this must not go direct');
    await snap(page, 'send-proxy-down');
    await alert.getByRole('button', { name: 'Proxy settings' }).click();
    await expect(page.getByRole('heading', { name: 'Proxy' })).toBeVisible();
  });
});

test('each error says what happened once, in one sentence', async ({ app }) => {
  const { page } = app;
  await createProfile(page, PASS);
  await lock(page);
  await page.getByLabel('Passphrase').fill('not the passphrase at all');
  await page.getByRole('button', { name: 'Unlock' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toHaveAttribute('data-error-code', 'WRONG_PASSPHRASE');
  const text = (await alert.textContent()) ?? '';
  expect(text.match(/passphrase is not correct/g)).toHaveLength(1);
  // One sentence (a countdown, when there is one, is its own line).
  expect(text.trim().split(/(?<=\.)\s+/)).toHaveLength(1);
});

test('validation errors name the field in words and mark it', async ({ app }) => {
  const { page } = app;
  await createProfile(page, PASS);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('SOCKS5 proxy').check();
  await page.getByLabel('Host').fill('127.0.0.1');
  await page.getByLabel('Port').fill('abc');
  await page.getByRole('button', { name: 'Save proxy' }).click();
  const alert = page.getByRole('alert').first();
  await expect(alert).toContainText('not valid');
  await expect(alert).toContainText('Port');
  await expect(alert).not.toContainText('patch.proxy.port');
  await expect(alert).not.toContainText('received null');
  const port = page.getByLabel('Port');
  await expect(port).toHaveAttribute('aria-invalid', 'true');
  await expect(port).toBeFocused();
  await snap(page, 'validation-proxy-port');
});

test.describe('registration input', () => {
  test.use({ demoNetwork: true });

  test('a malformed phone number is named "Phone number", marked and focused', async ({ app }) => {
    const { page } = app;
    await createProfile(page, PASS);
    await page.getByRole('button', { name: 'Register' }).click();
    const phone = page.getByLabel('Phone number', { exact: true });
    await phone.fill('0099 not a number');
    await page.getByRole('button', { name: 'Continue' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Phone number: not valid');
    await expect(alert).not.toContainText('e164');
    await expect(phone).toHaveAttribute('aria-invalid', 'true');
    await expect(phone).toBeFocused();
  });
});
