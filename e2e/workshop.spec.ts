/**
 * Issue 17 "Missing" #4 (a, b) and the report: the trainer's Workshop panel on the demo network switches the
 * profile to typical defaults and back, "Apply recommended" lists exactly what it changed and can be undone,
 * the report says why each protection matters and opens the setting an advice item is about.
 */
import { expect, snap, test } from './fixtures.js';
import { shotsWithScans } from './support/shots.js';
import { createProfile } from './support/flows.js';

const PASS = 'copper meadow 27 silent kite';

test.describe('on the demo network', () => {
  test.use({ demoNetwork: true });

  test('typical defaults and back; apply recommended with its changes and undo; report links', async ({
    app,
  }) => {
    test.setTimeout(120_000);
    const { page } = app;
    await page.setViewportSize({ width: 1280, height: 800 });
    await createProfile(page, PASS);
    await page.getByRole('button', { name: 'Close the guide' }).click();

    await page.getByRole('button', { name: 'Workshop', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Workshop', exact: true })).toBeVisible();
    await page.getByRole('button', { name: 'Switch to typical defaults' }).click();
    const changes = page.locator('.changes');
    await expect(changes).toContainText('Switched to typical defaults:');
    await expect(changes).toContainText('Link previews: off → on');
    await expect(changes).toContainText('Notification content: no name or message → name and message');
    await shotsWithScans(page, 'workshop-typical');

    // The report now flags them, says why each matters (OK items too), and links advice to its setting.
    await page.getByRole('button', { name: 'Open the hardening report' }).click();
    const item = (id: string) => page.locator(`[data-audit-id="${id}"]`);
    await expect(item('link-previews')).toHaveClass(/advice/);
    await expect(item('link-previews').locator('.why')).toContainText('learns your IP address');
    await expect(item('passphrase')).toHaveClass(/ok/);
    await expect(item('passphrase').locator('.why')).toContainText('anyone who can read the disk');
    await snap(page, 'workshop-report-typical');
    await item('link-previews').getByRole('button', { name: 'Open the setting: Link previews off' }).click();
    await expect(page.getByLabel(/Generate link previews/)).toBeFocused();
    await expect(page.getByLabel(/Generate link previews/)).toBeChecked();

    await page.getByRole('button', { name: 'Workshop', exact: true }).click();
    await page.getByRole('button', { name: 'Restore my settings' }).click();
    await expect(changes).toContainText('Your settings are back:');
    await expect(changes).toContainText('Link previews: on → off');
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect(page.getByLabel(/Generate link previews/)).not.toBeChecked();

    // Apply recommended: exactly what changed (here: the disappearing-messages default), then undo.
    await page.getByRole('button', { name: 'Workshop', exact: true }).click();
    await page.getByRole('button', { name: 'Apply recommended' }).click();
    await expect(changes).toContainText('Applied the recommended settings:');
    await expect(changes.getByRole('listitem')).toHaveText([
      'Disappearing messages (default for new chats): off → 1 week',
    ]);
    await shotsWithScans(page, 'workshop-applied');
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect(changes).toContainText('Undone — back as before:');
    await expect(changes.getByRole('listitem')).toHaveText([
      'Disappearing messages (default for new chats): 1 week → off',
    ]);
    await page.getByRole('button', { name: 'Hardening report', exact: true }).click();
    await expect(item('disappearing-default')).toHaveClass(/advice/);
  });
});

test('offline there is no Workshop', async ({ app }) => {
  const { page } = app;
  await createProfile(page, PASS);
  await expect(page.getByRole('button', { name: 'Workshop', exact: true })).toHaveCount(0);
});
