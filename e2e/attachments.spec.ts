import { randomBytes } from 'node:crypto';
import { photoWithMetadata } from '../src/messaging/attachments/image.test-support.js';
import { expect, snap, test } from './fixtures.js';
import { contactSendsAttachment } from './support/contact-attachments.js';
import { registeredChatWith } from './support/chat-with-contact.js';

const PASS = 'copper kettle 73 winter field';

test.use({ demoNetwork: true });

/** Loads a blob: URL as an image in the page: 'loaded', or 'gone' once revoked. */
function probeImage(url: string): string {
  return `new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve('loaded');
    img.onerror = () => resolve('gone');
    img.src = ${JSON.stringify(url)};
  })`;
}

test('send and receive images, save a file with confirmation, view-once opens once', async ({
  app,
  demo,
}) => {
  test.setTimeout(90_000);
  const { page } = app;
  const { contact: gus, ourAci } = await registeredChatWith(app, demo!, 'Gus', PASS);
  await gus.device.sendText(await gus.ensureSession(ourAci), 'send me a photo', { sealed: false });
  const timeline = page.getByRole('log', { name: 'Messages with Gus' });
  await expect(timeline.getByText('send me a photo')).toBeVisible({ timeout: 20_000 });

  // Send an image (generated here), with a caption: our bubble shows it inline from a blob: URL.
  const photo = await photoWithMetadata('png');
  await page
    .getByLabel('Attach files')
    .setInputFiles({ name: 'our-photo.png', mimeType: 'image/png', buffer: photo });
  await expect(page.getByRole('list', { name: 'Files to send' })).toContainText('our-photo.png');
  await page.getByRole('textbox', { name: 'Message', exact: true }).fill('here you go');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const ours = page.locator('.bubble.out').filter({ hasText: 'here you go' });
  await expect(ours.locator('img')).toBeVisible({ timeout: 20_000 });
  expect(await ours.locator('img').getAttribute('src')).toMatch(/^blob:/);
  await expect(page.getByRole('list', { name: 'Files to send' })).toHaveCount(0);

  // Receive one: the contact's phone encrypts with the mock's code; we download, verify, preview.
  const theirs = await photoWithMetadata('jpeg');
  await contactSendsAttachment(demo!, gus, ourAci, theirs, { contentType: 'image/jpeg', body: 'and mine' });
  const received = page.locator('.bubble.in').filter({ hasText: 'and mine' });
  await expect(received.locator('img')).toBeVisible({ timeout: 20_000 });
  await received.getByRole('button', { name: /Show full image|Show smaller/ }).click();
  await expect(received.locator('img[data-full="true"]')).toBeVisible();
  await snap(page, 'attachments');

  // A program: shown as a file chip; saving needs a confirmation; the result is a download link only.
  const program = Buffer.concat([Buffer.from('MZ'), randomBytes(300)]);
  await contactSendsAttachment(demo!, gus, ourAci, program, {
    fileName: 'setup.exe',
    contentType: 'application/octet-stream',
  });
  const chip = page.locator('.file-chip').filter({ hasText: 'setup.exe' });
  await expect(chip).toBeVisible({ timeout: 20_000 });
  await chip.getByRole('button', { name: 'Save as…' }).click();
  const dialog = chip.getByRole('alertdialog', { name: 'Confirm saving a program' });
  await expect(dialog).toContainText('can run code on your computer');
  await dialog.getByRole('button', { name: 'Save anyway' }).click();
  const download = chip.getByRole('link', { name: 'Download setup.exe' });
  await expect(download).toHaveAttribute('href', /^blob:/);
  await expect(download).toHaveAttribute('download', 'setup.exe');

  // Tampered on the way: refused with a clear message, nothing shown.
  await contactSendsAttachment(demo!, gus, ourAci, await photoWithMetadata('png'), {
    contentType: 'image/png',
    body: 'tampered one',
    tamper: true,
  });
  const tampered = page.locator('.bubble.in').filter({ hasText: 'tampered one' });
  await expect(tampered.getByRole('alert')).toContainText('tampered with or damaged', { timeout: 20_000 });
  await expect(tampered.locator('img')).toHaveCount(0);

  // View-once from the contact: one look, then only "Viewed"; the bytes are gone in page and core.
  const secret = await photoWithMetadata('png');
  await contactSendsAttachment(demo!, gus, ourAci, secret, { contentType: 'image/png', viewOnce: true });
  const viewOnceButton = timeline.getByRole('button', { name: 'View once' });
  await expect(viewOnceButton).toBeEnabled({ timeout: 20_000 });
  await viewOnceButton.click();
  const viewer = page.getByRole('dialog', { name: 'View-once media' });
  const img = viewer.getByRole('img', { name: 'View-once media' });
  await expect(img).toBeVisible();
  const url = (await img.getAttribute('src')) ?? '';
  expect(url).toMatch(/^blob:/);
  expect(await page.evaluate(probeImage(url))).toBe('loaded');
  await snap(page, 'view-once-open');
  await viewer.getByRole('button', { name: 'Close' }).click();
  await expect(viewer).toHaveCount(0);
  await expect(timeline.getByText('Viewed', { exact: true })).toBeVisible();
  await expect(timeline.getByRole('button', { name: 'View once' })).toHaveCount(0);
  expect(await page.evaluate(probeImage(url))).toBe('gone');
  const list = await app.service().call('conversations.list', {});
  if (!list.ok) throw new Error(list.error.code);
  const conversationId = list.value.find((c) => c.serviceId === gus.aci)!.id;
  const page1 = await app.service().call('messages.page', { conversationId });
  if (!page1.ok) throw new Error(page1.error.code);
  const viewed = page1.value.messages.find((m) => m.viewOnce)!;
  expect(viewed).toMatchObject({ viewed: true, attachments: [] });
  expect(await app.service().call('messages.viewOnce', { messageId: viewed.id })).toMatchObject({
    ok: false,
    error: { code: 'ALREADY_VIEWED' },
  });

  // Our own view-once: the toggle appears for a single image only.
  await page
    .getByLabel('Attach files')
    .setInputFiles({ name: 'once.png', mimeType: 'image/png', buffer: photo });
  await page.getByLabel(/View once/).check();
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.locator('.bubble.out').filter({ hasText: 'View-once media' })).toBeVisible({
    timeout: 20_000,
  });
  await snap(page, 'view-once-done');
});
