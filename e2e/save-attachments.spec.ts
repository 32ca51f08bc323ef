/**
 * Saving a received file that is larger than one piece of the UI boundary (1 MiB): in the web harness it
 * is read by range into a download link whose bytes are the file's; with the platform's save dialog (as in
 * Electron, stood in for here) the core writes it to the chosen place and the page never holds it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures.js';
import { contactSendsAttachment } from './support/contact-attachments.js';
import { registeredChatWith } from './support/chat-with-contact.js';
import type { AppHandle } from './fixtures.js';
import type { DemoNetwork } from '../src/demo/network.js';

const PASS = 'copper kettle 73 winter field';
const SAVE_DIR = mkdtempSync(join(tmpdir(), 'carapace-e2e-saved-'));

test.use({ demoNetwork: true });
test.afterAll(() => rmSync(SAVE_DIR, { recursive: true, force: true }));

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A registered app in a chat with Gus, who then sends `file` as clip.mov; resolves with its chip. */
async function receiveClip(app: AppHandle, demo: DemoNetwork, file: Buffer) {
  const { contact: gus, ourAci } = await registeredChatWith(app, demo, 'Gus', PASS);
  await contactSendsAttachment(demo, gus, ourAci, file, {
    fileName: 'clip.mov',
    contentType: 'video/quicktime',
  });
  const chip = app.page.locator('.file-chip').filter({ hasText: 'clip.mov' });
  await expect(chip).toBeVisible({ timeout: 20_000 });
  return chip;
}

test.describe('in the web harness', () => {
  test('a 3 MiB file is read by range into a download link holding exactly its bytes', async ({
    app,
    demo,
  }) => {
    test.setTimeout(90_000);
    const file = randomBytes(3 * 1024 * 1024 + 999);
    const chip = await receiveClip(app, demo!, file);
    await chip.getByRole('button', { name: 'Save as…' }).click();
    const link = chip.getByRole('link', { name: 'Download clip.mov' });
    await expect(link).toHaveAttribute('href', /^blob:/, { timeout: 20_000 });
    await expect(link).toHaveAttribute('download', 'clip.mov');
    // What the browser saves when the user clicks the link.
    const [download] = await Promise.all([app.page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('clip.mov');
    expect(sha256(readFileSync(await download.path()))).toBe(sha256(file));
  });
});

test.describe('with the platform save dialog', () => {
  test.use({ saveDir: SAVE_DIR });

  test('the core writes the file where the dialog chose; the page gets no link', async ({ app, demo }) => {
    test.setTimeout(90_000);
    const file = randomBytes(3 * 1024 * 1024 + 123);
    const chip = await receiveClip(app, demo!, file);
    await chip.getByRole('button', { name: 'Save as…' }).click();
    await expect(chip.getByRole('status')).toHaveText('Saved.', { timeout: 20_000 });
    await expect(chip.getByRole('link')).toHaveCount(0);
    expect(sha256(readFileSync(join(SAVE_DIR, 'clip.mov')))).toBe(sha256(file));
  });
});
