/**
 * Issue 17 "Missing" #4 (c, d): from the Workshop panel on the demo network, simulated contacts act on this
 * profile (a stranger's message request, a safety-number change, a view-once photo, a disappearing chat),
 * and "What a contact receives" shows a photo's GPS on the left and none in what Echo received.
 */
import type { Page } from '@playwright/test';
import { expect, snap, test } from './fixtures.js';
import { shotsWithScans } from './support/shots.js';
import { createProfile, register, send, startChat } from './support/flows.js';
import { demoNumber } from './support/chat-with-contact.js';

const PASS = 'lantern orchard 61 brisk heron';

async function trigger(page: Page, button: string): Promise<void> {
  await page.getByRole('button', { name: 'Workshop', exact: true }).click();
  await page.getByRole('button', { name: button }).click();
  await expect(page.locator('.workshop-done')).toContainText('open Chats to show it', { timeout: 20_000 });
}

test.describe('on the demo network', () => {
  test.use({ demoNetwork: true });

  test('each scenario shows its effect; the photo demo shows GPS on the left and none on the right', async ({
    app,
    demo,
  }) => {
    test.setTimeout(180_000);
    const { page } = app;
    await page.setViewportSize({ width: 1280, height: 800 });
    const echo = await demo!.createContact('Echo', { echo: true });
    await createProfile(page, PASS);
    await register(page, demoNumber());
    await startChat(page, echo.aci, 'Echo');
    await send(page, 'hello');
    await expect(page.getByRole('log').getByText('Echo: hello')).toBeVisible({ timeout: 20_000 });

    await page.getByRole('button', { name: 'Workshop', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Scenarios' })).toBeVisible();
    await shotsWithScans(page, 'workshop-scenarios');

    await trigger(page, 'A stranger writes');
    await page.getByRole('button', { name: 'Chats', exact: true }).click();
    await page
      .getByRole('button', { name: /We have not met/ })
      .first()
      .click();
    await expect(page.getByRole('region', { name: 'Message request' })).toBeVisible();
    await snap(page, 'workshop-scenario-request');

    await trigger(page, 'Safety number changes');
    await page.getByRole('button', { name: 'Chats', exact: true }).click();
    await expect(page.getByRole('button', { name: /^Echo/ }).first()).toContainText('Safety number changed');
    await page.getByRole('button', { name: /^Echo/ }).first().click();
    await expect(
      page.getByRole('log').getByText('The safety number with this contact changed.'),
    ).toBeVisible();
    await snap(page, 'workshop-scenario-safety-number');

    await trigger(page, 'A view-once photo arrives');
    await page.getByRole('button', { name: 'Chats', exact: true }).click();
    await page.getByRole('button', { name: /^Echo/ }).first().click();
    await expect(page.locator('.view-once').last()).toBeVisible({ timeout: 20_000 });

    await trigger(page, 'A contact turns on disappearing messages');
    await page.getByRole('button', { name: 'Chats', exact: true }).click();
    await page.getByRole('button', { name: /^Echo/ }).first().click();
    await expect(page.getByRole('log').getByText('This chat now disappears after 5 minutes.')).toBeVisible();
    await snap(page, 'workshop-scenario-disappearing');

    await page.getByRole('button', { name: 'Workshop', exact: true }).click();
    await page.getByRole('button', { name: 'Send a photo with GPS to Echo' }).click();
    const table = page.locator('table.metadata-demo');
    await expect(table).toBeVisible({ timeout: 30_000 });
    const gps = table.getByRole('row', { name: /GPS position/ });
    await expect(gps.locator('[data-side="original"]')).toHaveText('48.85823° N, 2.29452° E');
    await expect(gps.locator('[data-side="received"]')).toHaveText('none');
    await expect(table.getByRole('row', { name: /Camera/ }).locator('[data-side="received"]')).toHaveText(
      'none',
    );
    await table.scrollIntoViewIfNeeded();
    await shotsWithScans(page, 'workshop-metadata');
  });
});
