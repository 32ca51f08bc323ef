/**
 * Issue 14 — edits: ours from the actions menu (composer in edit mode, Escape cancels, "edited" after),
 * the contact's phone gets Signal's edit; the contact's edit replaces its text.
 */
import { expect, snap, test } from './fixtures.js';
import { expectNoSeriousViolations } from './support/axe.js';
import { chatWithContact, contactEdits, contactSays } from './support/contact-actions.js';
import { send } from './support/flows.js';
import { chooseAction, messageWith } from './support/message-actions.js';

test.use({ demoNetwork: true });

test('edit ours (Escape cancels), see the contact’s edit, both marked edited', async ({ app, demo }) => {
  const { page } = app;
  const { ourAci, contact: dana, timeline } = await chatWithContact(app, demo!, 'Dana');
  const composer = page.getByRole('textbox', { name: 'Message', exact: true });
  const editing = page.getByRole('group', { name: 'Editing your message' });

  await send(page, 'see you at 5');
  const ours = messageWith(timeline, 'see you at 5');
  await expect(ours.locator('.ticks')).toHaveAttribute('title', /Sent|Delivered|Read/, { timeout: 20_000 });

  // Escape leaves edit mode without a change.
  await chooseAction(ours, 'Edit');
  await expect(editing).toBeVisible();
  await expect(composer).toHaveValue('see you at 5');
  await expect(composer).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(editing).toHaveCount(0);
  await expect(composer).toHaveValue('');

  await chooseAction(ours, 'Edit');
  await composer.fill('see you at 6');
  await snap(page, 'edits-composer-1280x800');
  await page.keyboard.press('Enter');
  const edited = messageWith(timeline, 'see you at 6');
  await expect(edited).toContainText('edited');
  await expect(timeline.getByText('see you at 5', { exact: true })).toHaveCount(0);
  const got = await dana.device.waitForEditMessage();
  expect(got.editMessage.dataMessage?.body).toBe('see you at 6');

  // Dana edits hers.
  const sentAt = await contactSays(dana, ourAci, 'meet at the statoin');
  await expect(messageWith(timeline, 'meet at the statoin')).toBeVisible({ timeout: 20_000 });
  await contactEdits(dana, ourAci, sentAt, 'meet at the station');
  const theirs = messageWith(timeline, 'meet at the station');
  await expect(theirs).toContainText('edited', { timeout: 20_000 });
  await expect(timeline.getByText('meet at the statoin')).toHaveCount(0);

  await snap(page, 'edits-1280x800');
  await expectNoSeriousViolations(page, 'edited messages');
  await page.setViewportSize({ width: 640, height: 480 });
  await snap(page, 'edits-640x480');
});
