/**
 * The README's screenshots: first run, a conversation, settings, the hardening report and the workshop at
 * 1280×800 and the minimum window (640×480), light and dark, written to docs/screenshots/ as small
 * palette PNGs. Only with CARAPACE_SCREENSHOTS=1, so an ordinary run (CI) never rewrites them.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { expect, test } from './fixtures.js';
import { createProfile, send, startChat } from './support/flows.js';

const OUT = join(import.meta.dirname, '..', 'docs', 'screenshots');
const SIZES = [
  { width: 1280, height: 800 },
  { width: 640, height: 480 },
] as const;

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      const png = await page.screenshot();
      const file = join(OUT, `${name}-${size.width}x${size.height}-${colorScheme}.png`);
      await sharp(png).png({ palette: true, colours: 128, compressionLevel: 9 }).toFile(file);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(SIZES[0]);
}

test.use({ demoNetwork: true });

test('README screenshots', async ({ app, demo }) => {
  test.skip(
    process.env.CARAPACE_SCREENSHOTS !== '1',
    'set CARAPACE_SCREENSHOTS=1 to rewrite docs/screenshots',
  );
  test.setTimeout(180_000);
  const { page } = app;
  await page.setViewportSize(SIZES[0]);
  const ada = await demo!.createContact('Ada', { echo: true });

  await expect(page.getByRole('heading', { name: 'Welcome to Carapace' })).toBeVisible();
  await shoot(page, 'first-run');

  await createProfile(page, 'orchid bicycle 44 patient river');
  const guide = page.getByRole('main');
  await guide.getByLabel('Phone number', { exact: true }).fill('+15550001234');
  await guide.getByRole('button', { name: 'Continue' }).click();
  await guide.getByRole('button', { name: 'Continue' }).click();
  await guide.getByRole('button', { name: 'Register', exact: true }).click();
  await guide.getByLabel('Your profile name').fill('Robin');
  await guide.getByRole('button', { name: 'Save name' }).click();
  await guide.getByRole('button', { name: 'Close the guide' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 20_000 });

  await startChat(page, ada.aci, 'Ada');
  await send(page, 'Are we still on for the workshop at 10?');
  await expect(
    page.getByRole('log', { name: 'Messages with Ada' }).getByText(/^Echo: Are we still on/),
  ).toBeVisible({
    timeout: 20_000,
  });
  await shoot(page, 'conversation');

  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Settings', exact: true })).toBeVisible();
  await shoot(page, 'settings');

  await page.getByRole('button', { name: 'Workshop', exact: true }).click();
  await page.getByRole('button', { name: 'Switch to typical defaults' }).click();
  await expect(page.locator('.changes')).toContainText('Switched to typical defaults:');
  await shoot(page, 'workshop');

  await page.getByRole('button', { name: 'Hardening report', exact: true }).click();
  await expect(page.locator('[data-audit-id="link-previews"]')).toHaveClass(/advice/);
  await shoot(page, 'hardening-report');
});
