/**
 * Issue 14 — replies: a contact's reply shows what it quotes and jumps to it; we reply from a message's
 * actions menu (keyboard only) and the contact's phone gets Signal's quote; a quote of a message we do not
 * have says "Original message not found".
 */
import { expect, snap, test } from './fixtures.js';
import { expectNoSeriousViolations } from './support/axe.js';
import { chatWithContact, contactReplies, contactSays, ourSentAt } from './support/contact-actions.js';
import { chooseAction, messageWith } from './support/message-actions.js';

test.use({ demoNetwork: true });

test('replies both ways, jump to the quoted message, original not found', async ({ app, demo }) => {
  const { page } = app;
  const { ourAci, contact: dana, timeline } = await chatWithContact(app, demo!, 'Dana');

  // Dana replies to our first message: the quote names us and our text; pressing it jumps there.
  const first = await ourSentAt(app, 'hello Dana');
  await contactReplies(dana, ourAci, 'and hello to you', {
    quotedAt: first,
    authorAci: ourAci,
    text: 'hello Dana',
  });
  const theirReply = messageWith(timeline, 'and hello to you');
  const quote = theirReply.getByRole('button', { name: /Reply to: You\s*hello Dana/ });
  await expect(quote).toBeVisible({ timeout: 20_000 });
  await quote.click();
  const original = messageWith(timeline, 'hello Dana');
  await expect(original).toBeFocused();
  await expect(original).toHaveClass(/highlighted/);

  // We reply to Dana's question with the keyboard: focus it, Enter, Reply; the composer shows what we answer.
  const askedAt = await contactSays(dana, ourAci, 'what time is it?');
  const question = messageWith(timeline, 'what time is it?');
  await expect(question).toBeVisible({ timeout: 20_000 });
  await chooseAction(question, 'Reply');
  const replying = page.getByRole('group', { name: 'Replying to Dana' });
  await expect(replying).toContainText('what time is it?');
  const composer = page.getByRole('textbox', { name: 'Message', exact: true });
  await expect(composer).toBeFocused();
  await snap(page, 'replies-composer-1280x800');
  await expectNoSeriousViolations(page, 'composer replying');
  await page.keyboard.type('noon');
  await page.keyboard.press('Enter');
  const ourReply = messageWith(timeline, 'noon');
  await expect(ourReply.getByRole('button', { name: /Reply to: Dana\s*what time is it\?/ })).toBeVisible();
  await expect(replying).toHaveCount(0);

  // Dana's phone received Signal's quote: the id is the quoted message's sent timestamp.
  let received = await dana.device.waitForMessage();
  while (received.body !== 'noon') received = await dana.device.waitForMessage();
  expect(received.dataMessage.quote?.id).toBe(BigInt(askedAt));
  expect(received.dataMessage.quote?.authorAci).toBe(dana.aci);

  // Escape cancels a reply in progress.
  await chooseAction(question, 'Reply');
  await expect(replying).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(replying).toHaveCount(0);

  // A quote of a message we never had.
  await contactReplies(dana, ourAci, 'about that old thing', {
    quotedAt: 12345,
    authorAci: dana.aci,
    text: 'old',
  });
  await expect(messageWith(timeline, 'about that old thing')).toContainText('Original message not found', {
    timeout: 20_000,
  });

  await snap(page, 'replies-1280x800');
  await page.setViewportSize({ width: 640, height: 480 });
  await expect(messageWith(timeline, 'about that old thing')).toBeInViewport();
  await snap(page, 'replies-640x480');
});
