/**
 * Issue 16, "New chat" on the demo network: by a username link pasted, by a picture of its QR code (a PNG
 * made here with `qrcode`, read in the page with jsQR), by username, by phone number (demo directory, with
 * consent), and one clear error per failure (not found, invalid, no QR code in the picture). The other side
 * is a second Carapace account (a core with a username and a profile name). Web project only.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import QRCode from 'qrcode';
import { expect, snap, test } from './fixtures.js';
import { expectNoSeriousViolations } from './support/axe.js';
import { createProfile, register } from './support/flows.js';
import { coreAccountWithUsername, demoNumber, type CoreAccount } from './support/other-accounts.js';

const PASS = 'silver kettle 19 morning tide';

test.use({ demoNetwork: true });

let files: string;
test.beforeAll(() => {
  files = mkdtempSync(join(tmpdir(), 'carapace-new-chat-'));
});
test.afterAll(() => {
  rmSync(files, { recursive: true, force: true });
});

async function startWith(page: Page, text: string): Promise<void> {
  await page.getByLabel('New chat', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Start', exact: true }).click();
}

/**
 * The chat is open, and it is the only one: starting again with the same person opens it. (Its title is
 * not checked here: before they write to us we hold no profile key for them, so the core has no name.)
 */
async function expectTheOneChat(page: Page): Promise<void> {
  await expect(page.getByRole('log', { name: /^Messages with / })).toBeVisible({ timeout: 20_000 });
  await expect(page.locator('.conversation-list > li')).toHaveCount(1);
}

async function backToList(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Chats', exact: true }).click();
}

test('by username link (pasted and from a QR picture) and by username: the same one chat each time', async ({
  app,
  demo,
  appKind,
}) => {
  test.skip(appKind !== 'web', 'the other side runs in this test process (web harness only)');
  const grace: CoreAccount = await coreAccountWithUsername(demo!, 'grace', 'Grace Hopper');
  try {
    const { page } = app;
    await createProfile(page, PASS);
    await register(page, demoNumber());
    await expect(page.getByLabel('New chat', { exact: true })).toHaveAttribute('placeholder', /\+1555/);

    await startWith(page, grace.usernameLink);
    await expectTheOneChat(page);
    await snap(page, 'new-chat-by-link');

    // The same person again from a picture of the QR code: the chat opens, no second one appears.
    const png = join(files, 'grace-link.png');
    writeFileSync(png, await QRCode.toBuffer(grace.usernameLink, { width: 300, margin: 4 }));
    await backToList(page);
    await page.getByLabel('Read a username link from a QR code image').setInputFiles(png);
    await expectTheOneChat(page);

    await backToList(page);
    await startWith(page, grace.username);
    await expectTheOneChat(page);
    // The header shows the username it was found by — as the title here (Grace has not written yet, so no
    // profile name), and then not a second time on the muted line under it.
    const header = page.locator('.conversation-header');
    await expect(header.getByRole('heading', { level: 2 })).toHaveText(grace.username);
    await expect(header.locator('.conversation-handle')).toHaveCount(0);
  } finally {
    await grace.dispose();
  }
});

test('by phone number on the demo network: asks consent first (the number is sent to look it up)', async ({
  app,
  demo,
}) => {
  const { page } = app;
  const contact = await demo!.createContact('Echo', { echo: true });
  await createProfile(page, PASS);
  await register(page, demoNumber());
  await page.getByLabel('New chat', { exact: true }).fill(contact.number ?? '');
  const start = page.getByRole('button', { name: 'Start', exact: true });
  await expect(start).toBeDisabled();
  const consent = page.getByLabel(/Look this number up: it is sent to the service/);
  await consent.click();
  await expect(consent).toBeChecked();
  await snap(page, 'new-chat-number-consent');
  await start.click();
  await expect(page.getByRole('log', { name: /^Messages with / })).toBeVisible({ timeout: 20_000 });
});

test('one clear error per failure: not found, invalid username, damaged link, a picture with no QR code', async ({
  app,
}) => {
  const { page } = app;
  await createProfile(page, PASS);
  await register(page, demoNumber());
  const input = page.getByLabel('New chat', { exact: true });
  const alert = page.locator('.new-chat [role="alert"]');

  await startWith(page, 'nobody_here.4242');
  await expect(alert).toHaveAttribute('data-error-code', 'NOT_FOUND', { timeout: 20_000 });
  await expect(alert).toHaveCount(1);
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await snap(page, 'new-chat-not-found');

  await startWith(page, '1abc.42');
  await expect(alert).toHaveAttribute('data-error-code', 'INVALID_INPUT');
  await expect(input).toHaveAttribute('aria-invalid', 'true');

  await startWith(page, 'https://signal.me/#eu/AAAA');
  await expect(alert).toHaveAttribute('data-error-code', 'INVALID_INPUT');
  await expect(alert).toHaveText(/^Username link: /);
  await snap(page, 'new-chat-bad-link');
  await expectNoSeriousViolations(page, 'new chat with an error');

  const noQr = join(files, 'no-qr.png');
  // A 1×1 PNG: a picture, but no code in it.
  writeFileSync(
    noQr,
    Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
      'base64',
    ),
  );
  await page.getByLabel('Read a username link from a QR code image').setInputFiles(noQr);
  await expect(alert).toHaveText(/No QR code was found in that picture/);
  await expect(alert).toHaveCount(1);
});
