import { expect, snap, test } from './fixtures.js';
import { createProfile } from './support/flows.js';

test('hardening report flags weak settings and "apply recommended" fixes what needs no input', async ({
  app,
}) => {
  const { page } = app;
  await createProfile(page, 'granite meadow 31 quiet owl');

  // Loosen two settings first, as a user might.
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Notification content').selectOption('name-and-message');
  // A controlled checkbox: its state changes when the core answers, so click and then wait.
  await page.getByLabel(/Generate link previews/).click();
  await expect(page.getByLabel(/Generate link previews/)).toBeChecked();

  await page.getByRole('button', { name: 'Hardening report' }).click();
  const item = (id: string) => page.locator(`[data-audit-id="${id}"]`);
  await expect(item('link-previews')).toHaveClass(/advice/);
  await expect(item('notification-privacy')).toHaveClass(/advice/);
  await expect(item('disappearing-default')).toHaveClass(/advice/);
  // No PIN backup in this offline profile, no screen protection in the web harness: its own status,
  // "Not available here" — no ✓ and not one of the open recommendations.
  await expect(item('pin-set')).toHaveClass(/unavailable/);
  await expect(item('screen-security')).toHaveClass(/unavailable/);
  await expect(item('screen-security')).toContainText('Not available here');
  await expect(item('screen-security').locator('.audit-status')).not.toHaveText('✓');
  await expect(item('screen-lock')).toHaveClass(/ok/);
  await snap(page, 'hardening-before');

  await page.getByRole('button', { name: 'Apply recommended settings' }).click();
  await expect(item('link-previews')).toHaveClass(/ok/);
  await expect(item('notification-privacy')).toHaveClass(/ok/);
  await expect(item('disappearing-default')).toHaveClass(/ok/);
  // Needs the user: a proxy host is never invented (the PIN stays not available here).
  await expect(item('pin-set')).toHaveClass(/unavailable/);
  await expect(item('proxy')).toHaveClass(/advice/);
  // The count is of advice only: the unavailable items are not in it.
  const open = await page.locator('.audit-item.advice').count();
  await expect(page.locator('.audit-item.unavailable')).not.toHaveCount(0);
  await expect(page.locator('.summary')).toHaveText(`${open} recommendation(s) open.`);
  await snap(page, 'hardening-after');

  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByLabel(/Generate link previews/)).not.toBeChecked();
  await expect(page.getByLabel('Notification content')).toHaveValue('no-name-or-message');
  await expect(page.getByLabel('Disappearing messages (default for new chats)')).toHaveValue('604800');

  // This profile has no Signal service (offline harness), so there is no safe key backup: the PIN form is
  // replaced by the reason (the PIN checks and generator are covered on the demo network in pin-typing.spec).
  await expect(page.getByText(/PIN backup is not available in this build/)).toBeVisible();
  await expect(page.getByLabel('New PIN')).toHaveCount(0);
});
