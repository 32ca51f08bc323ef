/** Issue 17 "Broken" item 8: a chat whose images load late still opens at the newest message. */
import { photoWithMetadata } from '../src/messaging/attachments/image.test-support.js';
import { expect, snap, test } from './fixtures.js';
import { contactSendsAttachment } from './support/contact-attachments.js';
import { registeredChatWith } from './support/chat-with-contact.js';

const PASS = 'granite willow 64 evening bell';

test.use({ demoNetwork: true });

test('issue 17 #8: a chat with images opens at the newest message', async ({ app, demo }) => {
  test.setTimeout(90_000);
  const { page } = app;
  await page.setViewportSize({ width: 1280, height: 800 });
  const { contact: gus, ourAci } = await registeredChatWith(app, demo!, 'Gus', PASS);
  const session = await gus.ensureSession(ourAci);
  const timeline = page.getByRole('log', { name: 'Messages with Gus' });
  for (let i = 1; i <= 6; i++) await gus.device.sendText(session, `older message ${i}`, { sealed: false });
  for (let i = 1; i <= 3; i++) {
    await contactSendsAttachment(demo!, gus, ourAci, await photoWithMetadata('jpeg'), {
      contentType: 'image/jpeg',
      body: `photo ${i}`,
    });
  }
  await gus.device.sendText(session, 'the newest message', { sealed: false });
  await expect(timeline.getByText('the newest message')).toBeVisible({ timeout: 20_000 });
  await expect(timeline.locator('img')).not.toHaveCount(0, { timeout: 20_000 });

  // Open the chat again: it must show the newest message once the images have loaded.
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByRole('button', { name: 'Chats', exact: true }).click();
  await page.getByRole('button', { name: /Gus/ }).first().click();
  await expect(timeline.locator('img').last()).toBeVisible({ timeout: 20_000 });
  await page.waitForTimeout(500);
  await snap(page, 'chat-with-images-opened');
  await expect(timeline.getByText('the newest message')).toBeInViewport();
});
