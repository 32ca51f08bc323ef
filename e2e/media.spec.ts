/**
 * Media shown or played in the page. Audio plays only when asked: until Play nothing is read from the core;
 * then the browser's own player gets the file (read by range into a blob: URL of its sniffed type) and can
 * decode it; it can still be saved like any other file. An image is shown by its bytes whatever its name.
 */
import { randomBytes } from 'node:crypto';
import { wavTone } from '../src/messaging/attachments/audio.test-support.js';
import { photoWithMetadata } from '../src/messaging/attachments/image.test-support.js';
import { expect, test } from './fixtures.js';
import { registeredChatWith } from './support/chat-with-contact.js';
import { contactSendsAttachment } from './support/contact-attachments.js';

const PASS = 'amber canal 58 quiet lantern';

test.use({ demoNetwork: true });

test('a voice note plays on request in the browser’s own player', async ({ app, demo }) => {
  test.setTimeout(90_000);
  const { page } = app;
  const { contact: gus, ourAci } = await registeredChatWith(app, demo!, 'Gus', PASS);
  await contactSendsAttachment(demo!, gus, ourAci, wavTone(0.5), {
    fileName: 'voice-note.wav',
    contentType: 'audio/wav',
    body: 'listen',
  });
  const bubble = page.locator('.bubble.in').filter({ hasText: 'listen' });
  const play = bubble.getByRole('button', { name: 'Play voice-note.wav' });
  await expect(play).toBeVisible({ timeout: 20_000 });
  await expect(bubble.locator('audio')).toHaveCount(0); // nothing loaded before the user asks
  await expect(bubble.getByRole('button', { name: 'Save as…' })).toBeVisible();

  await play.click();
  const audio = bubble.locator('audio');
  await expect(audio).toHaveAttribute('src', /^blob:/, { timeout: 20_000 });
  await expect(audio).toHaveAttribute('aria-label', 'voice-note.wav');
  // The browser decoded it: half a second of audio.
  await expect
    .poll(() => audio.evaluate((element) => (element as unknown as { duration: number }).duration))
    .toBeCloseTo(0.5, 1);
});

test('an image named like a program is still shown, full size too (only saving asks first)', async ({
  app,
  demo,
}) => {
  test.setTimeout(90_000);
  const { page } = app;
  const { contact: gus, ourAci } = await registeredChatWith(app, demo!, 'Gus', PASS);
  await contactSendsAttachment(demo!, gus, ourAci, await photoWithMetadata('png'), {
    fileName: 'holiday.exe',
    contentType: 'image/png',
    body: 'look',
  });
  const bubble = page.locator('.bubble.in').filter({ hasText: 'look' });
  await expect(bubble.locator('img')).toBeVisible({ timeout: 20_000 });
  await bubble.getByRole('button', { name: /Show full image|Show smaller/ }).click();
  await expect(bubble.locator('img[data-full="true"]')).toBeVisible();
  await expect(bubble.getByRole('alert')).toHaveCount(0);
});

test('a view-once video named like a program opens once, read in pieces, then only "Viewed" remains', async ({
  app,
  demo,
}) => {
  test.setTimeout(90_000);
  const { page } = app;
  const { contact: gus, ourAci } = await registeredChatWith(app, demo!, 'Gus', PASS);
  // Over 1 MiB, so the page reads it by range; the name would need a confirmation to save, not to show.
  const clip = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), randomBytes(3 << 20)]);
  await contactSendsAttachment(demo!, gus, ourAci, clip, {
    fileName: 'clip.exe',
    contentType: 'video/mp4',
    viewOnce: true,
  });
  const timeline = page.getByRole('log', { name: 'Messages with Gus' });
  const viewOnce = timeline.getByRole('button', { name: 'View once' });
  await expect(viewOnce).toBeEnabled({ timeout: 20_000 });
  await viewOnce.click();
  const viewer = page.getByRole('dialog', { name: 'View-once media' });
  const video = viewer.locator('video');
  await expect(video).toHaveAttribute('src', /^blob:/, { timeout: 20_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);
  await viewer.getByRole('button', { name: 'Close' }).click();
  await expect(timeline.getByText('Viewed', { exact: true })).toBeVisible();
  await expect(timeline.getByRole('button', { name: 'View once' })).toHaveCount(0);
});
