/**
 * Issue 14 — reactions: one per person, picked from the quick set or typed, replaced and removed; the
 * contact's reactions shown with who reacted; all from the keyboard; the contact's phone gets ours.
 */
import { expect, snap, test } from './fixtures.js';
import { expectNoSeriousViolations } from './support/axe.js';
import { chatWithContact, contactReacts, contactSays, ourSentAt } from './support/contact-actions.js';
import { chooseAction, messageWith, openActions } from './support/message-actions.js';

test.use({ demoNetwork: true });

test('react, replace, any emoji, remove; the contact’s reactions named', async ({ app, demo }) => {
  const { page } = app;
  const { ourAci, contact: dana, timeline } = await chatWithContact(app, demo!, 'Dana');

  const theirsAt = await contactSays(dana, ourAci, 'react to me');
  const theirs = messageWith(timeline, 'react to me');
  await expect(theirs).toBeVisible({ timeout: 20_000 });
  const reactions = theirs.getByRole('list', { name: 'Reactions' });

  // ❤️ from the quick set, by keyboard.
  await chooseAction(theirs, 'React with ❤️');
  await expect(reactions.getByRole('button', { name: '❤️ from you; press to remove yours' })).toBeVisible();
  await expect(theirs).toBeFocused();
  let got = await dana.device.waitForMessage();
  expect(got.dataMessage.reaction).toMatchObject({ emoji: '❤️', targetSentTimestamp: BigInt(theirsAt) });

  // One per person: 👍 replaces ❤️.
  await chooseAction(theirs, 'React with 👍');
  await expect(reactions.getByRole('button')).toHaveCount(1);
  await expect(reactions.getByRole('button', { name: /^👍 from you/ })).toBeVisible();

  // Dana reacts 👍 too: one chip, two people.
  await contactReacts(dana, ourAci, { emoji: '👍', targetAuthorAci: dana.aci, targetSentAt: theirsAt });
  await expect(reactions.getByRole('button', { name: /^👍 from (you and Dana|Dana and you)/ })).toBeVisible({
    timeout: 20_000,
  });
  await expect(reactions.getByRole('button')).toContainText('2');

  // Any emoji, typed.
  await chooseAction(theirs, 'Other emoji…');
  const other = page.getByRole('dialog', { name: 'React with any emoji' });
  await other.getByLabel('Any emoji').fill('🦀');
  await other.getByRole('button', { name: 'React' }).click();
  await expect(reactions.getByRole('button', { name: '🦀 from you; press to remove yours' })).toBeVisible();
  await expect(reactions.getByRole('button', { name: '👍 from Dana' })).toBeVisible();
  await snap(page, 'reactions-1280x800');
  await expectNoSeriousViolations(page, 'reactions');

  // Pressing our own chip removes it.
  await reactions.getByRole('button', { name: '🦀 from you; press to remove yours' }).click();
  await expect(reactions.getByRole('button')).toHaveCount(1);
  do got = await dana.device.waitForMessage();
  while (!got.dataMessage.reaction?.remove);
  expect(got.dataMessage.reaction).toMatchObject({ emoji: '🦀', remove: true });

  // Dana reacts to our message; Escape closes a menu and gives the focus back.
  const oursAt = await ourSentAt(app, 'hello Dana');
  await contactReacts(dana, ourAci, { emoji: '😂', targetAuthorAci: ourAci, targetSentAt: oursAt });
  const ours = messageWith(timeline, 'hello Dana');
  await expect(ours.getByRole('button', { name: '😂 from Dana' })).toBeVisible({ timeout: 20_000 });
  await openActions(ours);
  await expectNoSeriousViolations(page, 'message actions menu');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu', { name: 'Message actions' })).toHaveCount(0);
  await expect(ours).toBeFocused();

  await page.setViewportSize({ width: 640, height: 480 });
  await snap(page, 'reactions-640x480');
});
