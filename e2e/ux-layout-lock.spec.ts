/**
 * Issue 17 "Broken" items 6, 7, 9, 10, 11 (no network needed): the minimum window, the attach button's
 * focus ring, screen security where it cannot work, the live throttle countdown, reloading the harness tab.
 */
import type { Page } from '@playwright/test';
import { expect, snap, test } from './fixtures.js';
import { seedConversation } from './support/seed.js';
import { createProfile, lock, unlock } from './support/flows.js';

const PASS = 'amber lantern 58 quiet harbour';

/** Opens a seeded chat with Ada (created while locked, as the receive pipeline would). */
async function openSeededChat(
  page: Page,
  profileDir: string,
  kdf: Parameters<typeof seedConversation>[1]['kdf'],
): Promise<void> {
  await createProfile(page, PASS);
  await lock(page);
  await seedConversation(profileDir, {
    passphrase: PASS,
    ...(kdf ? { kdf } : {}),
    contactName: 'Ada Lovelace-Byron',
    serviceId: '7f0c3a52-0d4c-4c43-9f7e-2f7a4d6a1b11',
    bodies: ['hello there', 'the last one'],
  });
  await unlock(page, PASS);
  await page.getByRole('button', { name: /Ada Lovelace-Byron/ }).click();
  await expect(page.getByRole('heading', { name: 'Ada Lovelace-Byron' })).toBeVisible();
}

/** Sideways scroll of the page, and which of the named buttons are not fully inside the window. */
async function layoutProblems(page: Page, buttons: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  const { scrollWidth, clientWidth } = await page.evaluate<{ scrollWidth: number; clientWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
  );
  if (scrollWidth > clientWidth) problems.push(`page scrolls sideways (${scrollWidth} > ${clientWidth})`);
  const viewport = page.viewportSize();
  if (!viewport) throw new Error('no viewport');
  for (const name of buttons) {
    const box = await page.getByRole('button', { name, exact: true }).boundingBox();
    if (!box || box.x < 0 || box.x + box.width > viewport.width + 0.5 || box.y + box.height > viewport.height)
      problems.push(`${name} is outside the window`);
  }
  return problems;
}

test('issue 17 #6: the chat fits the minimum window (640×480) and 480 px wide, Lock always visible', async ({
  app,
  profileDir,
}) => {
  const { page } = app;
  await page.setViewportSize({ width: 1280, height: 800 });
  await openSeededChat(page, profileDir, app.kdf);
  const buttons = ['Lock Carapace now', 'Settings', 'Safety number', 'Remove contact…', 'Send'];
  for (const size of [
    { width: 640, height: 480 },
    { width: 480, height: 720 },
  ]) {
    await page.setViewportSize(size);
    await snap(page, `min-window-${size.width}x${size.height}`);
    expect(await layoutProblems(page, buttons), `${size.width}×${size.height}`).toEqual([]);
  }
  // The other screens at the narrowest size: no sideways scroll, Lock inside the window.
  for (const screen of ['Settings', 'Hardening report', 'Safety number']) {
    await page.getByRole('button', { name: screen, exact: true }).click();
    await snap(page, `min-window-480-${screen.toLowerCase().replace(/ /g, '-')}`);
    expect(await layoutProblems(page, ['Lock Carapace now']), screen).toEqual([]);
    await page.getByRole('button', { name: 'Chats', exact: true }).click();
  }
});

test('issue 17 #7: keyboard focus on "Attach files" is visible', async ({ app, profileDir }) => {
  const { page } = app;
  await openSeededChat(page, profileDir, app.kdf);
  await page.getByRole('textbox', { name: 'Message', exact: true }).focus();
  await page.keyboard.press('Shift+Tab');
  await expect(page.getByLabel('Attach files')).toBeFocused();
  const attach = page.locator('label.attach');
  await snap(page, 'attach-focus');
  await expect(attach).toHaveCSS('outline-style', 'solid');
  await expect(attach).not.toHaveCSS('outline-width', '0px');
});

test('issue 17 #9: screen security is disabled where it cannot work, the report says "not available here"', async ({
  app,
}) => {
  const { page } = app;
  await createProfile(page, PASS);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByLabel(/^Screen security/)).toBeDisabled();
  await page.getByRole('button', { name: 'Hardening report' }).click();
  const entry = page.locator('[data-audit-id="screen-security"]');
  await expect(entry.getByLabel('OK')).toHaveCount(0);
  await expect(entry).toContainText('Not available here');
  await snap(page, 'screen-security-unavailable');
});

test('issue 17 #10: the throttle countdown counts down and Unlock stays disabled until it ends', async ({
  app,
}) => {
  test.setTimeout(90_000);
  const { page } = app;
  await createProfile(page, PASS);
  await lock(page);
  const unlockButton = page.getByRole('button', { name: /^Unlock/ });
  const countdown = page.getByTestId('unlock-countdown');
  // The 4th wrong passphrase starts a wait (src/vault/throttle.ts); before it, none.
  for (let i = 0; i < 4; i++) {
    await expect(countdown).toHaveCount(0);
    await page.getByLabel('Passphrase').fill(`wrong guess ${i} for sure`);
    await unlockButton.click();
    await expect(page.getByRole('alert')).toHaveAttribute('data-error-code', 'WRONG_PASSPHRASE');
  }
  await expect(countdown).toBeVisible();
  const seconds = async (): Promise<number> => Number((await countdown.textContent())?.match(/\d+/)?.[0]);
  const first = await seconds();
  expect(first).toBeGreaterThan(1);
  await page.getByLabel('Passphrase').fill(PASS);
  await expect(unlockButton).toBeDisabled();
  await expect.poll(seconds, { timeout: 5_000 }).toBeLessThan(first);
  await snap(page, 'unlock-countdown');
  await expect(unlockButton).toBeEnabled({ timeout: first * 1000 + 5_000 });
  await unlockButton.click();
  await expect(page.getByRole('button', { name: 'Lock Carapace now' })).toBeVisible({ timeout: 30_000 });
});

test('issue 17 #11: reloading the harness tab keeps the session usable; the launch URL stays one-tab', async ({
  app,
}) => {
  const { page } = app;
  await createProfile(page, PASS);
  expect(page.url()).not.toContain('token=');
  await page.reload();
  await expect(page.getByText('Not connected')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Lock Carapace now' })).toBeVisible();
  // Twice: each reload uses a fresh single-use ticket.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Lock Carapace now' })).toBeVisible();
  await lock(page);
  await unlock(page, PASS);
  // The ticket lives in this tab's history entry only: the same address in another tab gets nothing.
  const other = await page.context().newPage();
  await other.goto(page.url());
  await expect(other.getByText(/Not connected/)).toBeVisible();
  await other.close();
});
