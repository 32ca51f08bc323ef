/**
 * axe-core on every screen, light and dark: zero serious or critical violations (e2e/support/axe.ts).
 * One walk through the app on the demo network, scanning each screen as a user reaches it.
 */
import { randomInt } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';
import { expectNoSeriousViolations } from './support/axe.js';
import { createProfile, lock, send, startChat, unlock } from './support/flows.js';

const PASS = 'cobalt lantern 58 misty orchard';
const HOUR = 60 * 60 * 1000;

test.use({ demoNetwork: true });

/** Scans the screen in the light and the dark colour scheme, and leaves the page light. */
async function scan(page: Page, label: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await expectNoSeriousViolations(page, `${label} (${colorScheme})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('every screen passes axe in light and dark', async ({ app, demo, clock }) => {
  test.setTimeout(300_000);
  const { page } = app;
  const echo = await demo!.createContact('Echo', { echo: true });

  await expect(page.getByRole('heading', { name: 'Welcome to Carapace' })).toBeVisible();
  await page.getByText('Insecure: use no passphrase').click();
  await scan(page, 'first run');
  await createProfile(page, PASS);
  await expect(page.getByRole('heading', { name: 'Set up Carapace' })).toBeVisible();
  await scan(page, 'guided first run: register');

  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Settings', exact: true })).toBeVisible();
  await scan(page, 'settings');
  await page.getByRole('button', { name: 'Hardening report' }).click();
  await expect(page.locator('[data-audit-id]').first()).toBeVisible();
  await scan(page, 'hardening report');

  await page.getByRole('button', { name: 'Register' }).click();
  await scan(page, 'registration: phone');
  await page
    .getByLabel('Phone number', { exact: true })
    .fill(`+1555${String(randomInt(1_000_000, 9_999_999))}`);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByLabel('Captcha token')).toBeVisible();
  await scan(page, 'registration: captcha');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByLabel('Verification code (6 digits)')).toBeVisible();
  await scan(page, 'registration: code');
  await page.getByRole('button', { name: 'Register', exact: true }).last().click();
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 20_000 });
  await scan(page, 'chats, registered');

  await startChat(page, echo.aci, 'Echo');
  await send(page, 'hello for the scan');
  await expect(
    page.getByRole('log', { name: 'Messages with Echo' }).getByText('Echo: hello for the scan'),
  ).toBeVisible({
    timeout: 20_000,
  });
  await scan(page, 'conversation');
  await page.getByRole('button', { name: 'Safety number' }).click();
  await expect(page.getByRole('heading', { name: 'Safety number with Echo' })).toBeVisible();
  await scan(page, 'safety number');

  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByRole('button', { name: 'Generate strong PIN' }).click();
  await expect(page.getByText(/Strong PIN/)).toBeVisible();
  await scan(page, 'settings, PIN form (demo)');
  const pin = await page.getByLabel('New PIN').inputValue();
  await page.getByRole('button', { name: 'Set PIN' }).click();
  await page.getByLabel('Repeat the PIN').fill(`${pin}x`);
  await expect(page.getByText('The PINs do not match.')).toBeVisible();
  await scan(page, 'settings, PIN confirm step');
  await page.getByLabel('Repeat the PIN').fill(pin);
  await page.getByLabel('I have written this PIN down somewhere safe').check();
  await page.getByRole('button', { name: 'Save PIN' }).click();
  await expect(page.getByText('PIN saved.')).toBeVisible({ timeout: 20_000 });

  clock.advance(13 * HOUR);
  await lock(page);
  await scan(page, 'unlock');
  await page.getByLabel('Passphrase').fill('not the passphrase');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await scan(page, 'unlock, wrong passphrase');
  await unlock(page, PASS);
  await expect(page.getByRole('region', { name: 'PIN reminder' })).toBeVisible();
  await scan(page, 'PIN reminder');
});
