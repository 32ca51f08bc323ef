/**
 * Issue 16, the account screen on the demo network: the number stays hidden until revealed (and again after
 * a lock), the Signal ID copies, a username is chosen in two steps (library refusals mark the field), its
 * link shows as text and QR code and a reset changes both, the profile name saves. Screenshots full-page at
 * 1280×800 and 640×480, light and dark.
 */
import type { Page } from '@playwright/test';
import { expect, snap, test } from './fixtures.js';
import { expectNoSeriousViolations } from './support/axe.js';
import { createProfile, lock, register, unlock } from './support/flows.js';
import { demoNumber } from './support/other-accounts.js';

const PASS = 'quiet orchard 73 lantern ridge';

test.use({ demoNetwork: true });

async function openAccount(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Account', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Account', exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'This account' })).toBeVisible();
}

async function screenshots(page: Page, name: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const size of [
      { width: 1280, height: 800 },
      { width: 640, height: 480 },
    ]) {
      await page.setViewportSize(size);
      await snap(page, `${name}-${size.width}x${size.height}-${colorScheme}`);
      // The screen scrolls inside its panel: a second picture with the username, link and QR code.
      await page.getByRole('img', { name: 'QR code of your username link' }).scrollIntoViewIfNeeded();
      await snap(page, `${name}-qr-${size.width}x${size.height}-${colorScheme}`);
      await page.getByRole('heading', { name: 'Account', exact: true }).scrollIntoViewIfNeeded();
    }
    await expectNoSeriousViolations(page, `${name} (${colorScheme})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('the number is hidden until revealed and again after a lock; the Signal ID copies', async ({ app }) => {
  const { page } = app;
  const number = demoNumber();
  await createProfile(page, PASS);
  await register(page, number);
  await openAccount(page);

  const numberSection = page.getByRole('region', { name: 'This account' });
  await expect(page.getByText(number)).toHaveCount(0);
  await expect(numberSection.getByLabel('Phone number hidden')).toBeVisible();
  await page.getByRole('button', { name: 'Show number' }).click();
  await expect(numberSection.getByText(number, { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Hide number' }).click();
  await expect(page.getByText(number)).toHaveCount(0);

  await page.getByRole('button', { name: 'Show number' }).click();
  await lock(page);
  await unlock(page, PASS);
  await openAccount(page);
  await expect(page.getByText(number)).toHaveCount(0);

  const aci = (await numberSection.locator('code.account-value').first().textContent()) ?? '';
  expect(aci).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy Signal ID' }).click();
  await expect(numberSection.getByRole('status').filter({ hasText: 'Copied.' })).toBeVisible();
  expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(aci);
  await expect(numberSection.getByText('Primary device (1)')).toBeVisible();
});

test('choose a username, see its link and QR code, reset the link; refusals mark the field', async ({
  app,
}) => {
  const { page } = app;
  await createProfile(page, PASS);
  await register(page, demoNumber());
  await openAccount(page);
  await expect(page.getByText('No username yet')).toBeVisible();

  // A library refusal (too short) is said once, marks the username field and focuses it.
  const nickname = page.getByLabel('Username', { exact: true });
  await nickname.fill('ab');
  await page.getByRole('button', { name: 'Check availability' }).click();
  const refusal = page.locator('.username-form [role="alert"]');
  await expect(refusal).toHaveAttribute('data-error-code', 'INVALID_INPUT');
  await expect(refusal).toHaveText(/^Username: .*too short/);
  await expect(nickname).toHaveAttribute('aria-invalid', 'true');
  await expect(nickname).toBeFocused();
  await snap(page, 'account-username-refused');

  // Letters in the number part: the contract refuses the field by its label.
  await nickname.fill('carapace_e2e');
  const discriminator = page.getByLabel('Number (optional)');
  await discriminator.fill('4x');
  await page.getByRole('button', { name: 'Check availability' }).click();
  await expect(refusal).toContainText('Number: not valid');
  await expect(discriminator).toHaveAttribute('aria-invalid', 'true');

  await discriminator.fill('');
  await page.getByRole('button', { name: 'Check availability' }).click();
  const held = page.getByRole('status').filter({ hasText: 'is free and held for you' });
  await expect(held).toBeVisible({ timeout: 20_000 });
  const username = (await held.locator('strong').textContent()) ?? '';
  expect(username).toMatch(/^carapace_e2e\.\d{2,}$/);
  await page.getByRole('button', { name: `Use ${username}` }).click();

  const section = page.getByRole('region', { name: 'Username and link' });
  await expect(section.getByText(username, { exact: true })).toBeVisible({ timeout: 20_000 });
  const link = section.locator('code.account-link');
  await expect(link).toHaveText(/^https:\/\/signal\.me\/#eu\/[A-Za-z0-9_-]+$/);
  const qr = page.getByRole('img', { name: 'QR code of your username link' });
  await expect(qr).toBeVisible();
  await screenshots(page, 'account-screen');

  const before = { link: await link.textContent(), qr: await qr.getAttribute('src') };
  await page.getByRole('button', { name: 'Reset link…' }).click();
  await page.getByRole('button', { name: 'Reset now' }).click();
  await expect(link).not.toHaveText(before.link ?? '');
  await expect(link).toHaveText(/^https:\/\/signal\.me\/#eu\//);
  await expect(qr).toBeVisible();
  expect(await qr.getAttribute('src')).not.toBe(before.qr);

  // Profile name: saved, and kept when the screen is opened again.
  await page.getByLabel('First name').fill('Ada');
  await page.getByLabel('About (optional)').fill('Testing Carapace');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Profile saved.' })).toBeVisible({
    timeout: 20_000,
  });
  await page.getByRole('button', { name: 'Chats', exact: true }).click();
  await openAccount(page);
  await expect(page.getByLabel('First name')).toHaveValue('Ada');

  // "Who can find me by number": the answer says where it takes effect.
  const findMe = page.getByRole('group', { name: 'Who can find me by number' });
  await findMe.getByLabel('Nobody (only by username or link)').click();
  await expect(findMe.getByLabel('Nobody (only by username or link)')).toBeChecked();
  await expect(findMe.getByText(/applies this now|next time this device registers/)).toBeVisible();

  // Deleting the username asks first, then the link and QR code are gone.
  await page.getByRole('button', { name: 'Delete username…' }).click();
  await page.getByRole('button', { name: 'Delete now' }).click();
  await expect(page.getByText('No username yet')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('img', { name: 'QR code of your username link' })).toHaveCount(0);
});
