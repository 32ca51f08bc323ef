import { randomUUID } from 'node:crypto';
import { expect, test } from './fixtures.js';
import { createProfile, lock, unlock } from './support/flows.js';
import { seedConversation } from './support/seed.js';

const PASS = 'granite owl 17 silver rain';
const CHATS = 120;
const name = (i: number) => `Chat ${String(i).padStart(3, '0')}`;

/**
 * Issue 19 goal 3: the chat list's cost at unlock must not grow with the number of chats. Only the first
 * rows are rendered; the rest join as the list is scrolled, down to the oldest chat.
 */
test('a long chat list renders its newest chats first and the rest on scrolling', async ({
  app,
  profileDir,
}) => {
  test.setTimeout(180_000);
  const { page } = app;
  await createProfile(page, PASS);
  await lock(page);
  for (let i = 0; i < CHATS; i++) {
    await seedConversation(profileDir, {
      passphrase: PASS,
      ...(app.kdf ? { kdf: app.kdf } : {}),
      contactName: name(i),
      serviceId: randomUUID(),
      bodies: [`hello from ${name(i)}`],
    });
  }
  await unlock(page, PASS);

  const sidebar = page.getByRole('complementary', { name: 'Conversations' });
  const rows = sidebar.getByRole('listitem');
  await expect(sidebar.getByRole('button', { name: new RegExp(name(CHATS - 1)) })).toBeVisible();
  const first = await rows.count();
  expect(first).toBeGreaterThan(5);
  expect(first).toBeLessThan(CHATS);

  // Scrolling down (with the wheel, as a user does) brings the older chats in, down to the oldest.
  const oldest = sidebar.getByRole('button', { name: new RegExp(name(0)) });
  await sidebar.hover();
  await expect
    .poll(
      async () => {
        await page.mouse.wheel(0, 4000);
        return oldest.isVisible();
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  await expect(rows).toHaveCount(CHATS);
  await oldest.click();
  await expect(
    page.getByRole('log', { name: `Messages with ${name(0)}` }).getByText(`hello from ${name(0)}`),
  ).toBeVisible();
});
