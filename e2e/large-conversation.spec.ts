import { randomUUID } from 'node:crypto';
import { expect, snap, test } from './fixtures.js';
import { createProfile, lock, unlock } from './support/flows.js';
import { seedConversation } from './support/seed.js';

const PASS = 'cobalt river 88 small lamp';
const COUNT = 10_000;

test('a 10,000-message conversation opens at the newest message, virtualized and paged', async ({
  app,
  profileDir,
}) => {
  const { page } = app;
  await createProfile(page, PASS);
  await lock(page);
  await seedConversation(profileDir, {
    passphrase: PASS,
    ...(app.kdf ? { kdf: app.kdf } : {}),
    contactName: 'Archive',
    serviceId: randomUUID(),
    bodies: Array.from({ length: COUNT }, (_, i) => `archived message ${i}`),
  });
  await unlock(page, PASS);

  await page.getByRole('button', { name: /Archive/ }).click();
  const timeline = page.getByRole('log', { name: 'Messages with Archive' });
  await expect(timeline.getByText(`archived message ${COUNT - 1}`, { exact: true })).toBeVisible();
  await expect(timeline).toHaveAttribute('data-total', String(COUNT));
  // Virtualized: only a window of rows is in the DOM, not 10,000 (nor even the 50 loaded).
  const rows = await page.locator('.timeline-row').count();
  expect(rows).toBeGreaterThan(3);
  expect(rows).toBeLessThan(60);
  await snap(page, 'large-conversation');

  // Scrolling up (as a user does, with the wheel) pages older messages in from the core.
  await timeline.hover();
  for (let i = 0; i < 8; i++) {
    await page.mouse.wheel(0, -5000);
    await page.waitForTimeout(100);
  }
  const shown = async (): Promise<number[]> =>
    (await page.locator('.bubble-text').allTextContents()).map((t) =>
      Number(t.replace('archived message ', '')),
    );
  // Older pages arrived (the first page held 9950..9999) and the DOM still holds only a window of them.
  await expect.poll(async () => Math.min(...(await shown()))).toBeLessThan(COUNT - 50);
  expect(await page.locator('.timeline-row').count()).toBeLessThan(80);
});
