/**
 * Issue 14 — delete: for everyone (ours, confirmed; the contact's phone gets Signal's delete) and from the
 * contact (a tombstone stays, the text is gone from the page), and for me (the message leaves).
 */
import { expect, snap, test } from './fixtures.js';
import { expectNoSeriousViolations } from './support/axe.js';
import { chatWithContact, contactDeletes, contactSays } from './support/contact-actions.js';
import { send } from './support/flows.js';
import { chooseAction, messageWith } from './support/message-actions.js';

test.use({ demoNetwork: true });

test('delete for everyone both ways leaves a tombstone; delete for me removes', async ({ app, demo }) => {
  const { page } = app;
  const { ourAci, contact: dana, timeline } = await chatWithContact(app, demo!, 'Dana');

  // Ours, for everyone: a confirmation first (Cancel keeps it).
  await send(page, 'oops wrong chat');
  const oops = messageWith(timeline, 'oops wrong chat');
  await expect(oops.locator('.ticks')).toHaveAttribute('title', /Sent|Delivered|Read/, { timeout: 20_000 });
  await chooseAction(oops, 'Delete…');
  const dialog = page.getByRole('alertdialog', { name: 'Delete this message?' });
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await snap(page, 'delete-confirm-1280x800');
  await expectNoSeriousViolations(page, 'delete confirmation');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(oops).toBeVisible();
  await chooseAction(oops, 'Delete…');
  await dialog.getByRole('button', { name: 'Delete for everyone' }).click();
  await expect(timeline.getByText('You deleted this message.')).toBeVisible();
  await expect(timeline.getByText('oops wrong chat')).toHaveCount(0);
  let got = await dana.device.waitForMessage();
  while (!got.dataMessage.delete) got = await dana.device.waitForMessage();

  // Theirs, deleted by Dana: the text leaves the page, a tombstone stays.
  const sentAt = await contactSays(dana, ourAci, 'my secret plan');
  await expect(messageWith(timeline, 'my secret plan')).toBeVisible({ timeout: 20_000 });
  await contactDeletes(dana, ourAci, sentAt);
  await expect(timeline.getByText('This message was deleted.')).toBeVisible({ timeout: 20_000 });
  expect(await page.content()).not.toContain('my secret plan');

  // Delete for me: gone from this computer (no "for everyone" on their message).
  await contactSays(dana, ourAci, 'just for me to forget');
  const forget = messageWith(timeline, 'just for me to forget');
  await expect(forget).toBeVisible({ timeout: 20_000 });
  await chooseAction(forget, 'Delete…');
  await expect(dialog.getByRole('button', { name: 'Delete for everyone' })).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Delete for me' }).click();
  await expect(forget).toHaveCount(0);

  await snap(page, 'delete-1280x800');
  await page.setViewportSize({ width: 640, height: 480 });
  await snap(page, 'delete-640x480');
});
