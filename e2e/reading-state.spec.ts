/**
 * Issue 14 — reading state: what arrives in the open, visible chat is read at once (no badge, no toast);
 * another chat counts unread and toasts; "Mark as unread" from the chat list's menu (keyboard) marks it
 * until opened; a contact's timer change is a timeline line saying who set what.
 */
import { expect, snap, test } from './fixtures.js';
import { expectNoSeriousViolations } from './support/axe.js';
import { chatWithContacts, contactSays, contactSetsTimer } from './support/contact-actions.js';
import { messageWith, timelineWith } from './support/message-actions.js';

test.use({ demoNetwork: true });

test('open chat reads at once; others count and toast; mark as unread; timer lines', async ({
  app,
  demo,
}) => {
  const { page } = app;
  const {
    ourAci,
    contacts: [bea, dana],
  } = await chatWithContacts(app, demo!, ['Bea', 'Dana']);
  if (!bea || !dana) throw new Error('no contacts');
  const chatButton = (name: string) =>
    page.getByRole('listitem').filter({ hasText: name }).getByRole('button').first();

  // Dana's chat is open and visible: her message is read at once — no badge, no toast.
  await contactSays(dana, ourAci, 'you are looking at this');
  await expect(messageWith(timelineWith(page, 'Dana'), 'you are looking at this')).toBeVisible({
    timeout: 20_000,
  });
  await expect(chatButton('Dana')).not.toContainText('unread');
  await expect(page.locator('.toast')).toHaveCount(0);

  // Bea's chat is not open: a badge and a toast.
  await contactSays(bea, ourAci, 'psst, over here');
  await expect(chatButton('Bea')).toContainText('1 unread', { timeout: 20_000 });
  await expect(page.locator('.toast')).toHaveCount(1);
  // …which obeys the default notification privacy: no name, no text.
  await expect(page.locator('.toast')).toContainText('New message');
  await expect(page.locator('.toast')).not.toContainText('Bea');
  await expect(page.locator('.toast')).not.toContainText('psst');
  await snap(page, 'reading-state-unread-1280x800');

  // Opening Bea reads it; "Mark as unread" from the list's menu (Shift+F10) marks it again.
  await chatButton('Bea').click();
  await expect(chatButton('Bea')).not.toContainText('unread');
  await chatButton('Dana').click();
  await chatButton('Bea').focus();
  await page.keyboard.press('Shift+F10');
  await expectNoSeriousViolations(page, 'chat list menu');
  await page.getByRole('menuitem', { name: 'Mark as unread' }).press('Enter');
  await expect(chatButton('Bea')).toContainText('Marked unread');
  await expect(chatButton('Bea')).toBeFocused();
  await chatButton('Bea').click();
  await expect(chatButton('Bea')).not.toContainText('Marked unread');

  // Dana sets the timer: the timeline says who set it to what.
  await chatButton('Dana').click();
  await contactSetsTimer(dana, ourAci, 604_800, 2);
  const danaTimeline = timelineWith(page, 'Dana');
  await expect(danaTimeline.getByText('Dana set disappearing messages to 1 week.')).toBeVisible({
    timeout: 20_000,
  });
  await expect(page.getByLabel('Disappearing messages', { exact: true })).toHaveValue('604800');

  await snap(page, 'reading-state-1280x800');
  await page.setViewportSize({ width: 640, height: 480 });
  await snap(page, 'reading-state-640x480');
});
