/**
 * "Send again" on the demo network: a message that failed (the server refused the contact as unregistered)
 * shows "Not sent" with a Send again button and the same item in its actions menu (keyboard); once the
 * contact is back, sending again delivers it — one copy, with its first timestamp — and it reads "Sent".
 */
import { expect, snap, test } from './fixtures.js';
import { expectNoSeriousViolations } from './support/axe.js';
import { registeredChatWith } from './support/chat-with-contact.js';
import { send } from './support/flows.js';

const PASS = 'amber lantern 58 quiet harbour';

test.use({ demoNetwork: true });

test('a failed message is sent again from its button and from the actions menu', async ({ app, demo }) => {
  test.setTimeout(90_000);
  const { page } = app;
  const { contact: hal } = await registeredChatWith(app, demo!, 'Hal', PASS);
  const timeline = page.getByRole('log', { name: 'Messages with Hal' });

  demo!.server.unregister(hal.device);
  await send(page, 'are you still there?');
  const first = page.locator('.timeline-message.out').filter({ hasText: 'are you still there?' });
  await expect(first.getByText('Not sent')).toBeVisible({ timeout: 20_000 });
  await expect(first.getByRole('button', { name: 'Send again' })).toBeVisible();
  // The failed message waits in the chat: the composer is empty (a retyped copy would go out twice).
  await expect(page.getByRole('textbox', { name: 'Message', exact: true })).toHaveValue('');
  await expect(page.getByRole('alert').filter({ hasText: 'not registered on Signal' })).toBeVisible();
  await expectNoSeriousViolations(page, 'a failed message with Send again');
  await snap(page, 'resend-failed');

  demo!.server.register(hal.device);
  await first.getByRole('button', { name: 'Send again' }).click();
  await expect(first.locator('[data-status="sent"], [data-status="delivered"]')).toBeVisible({
    timeout: 20_000,
  });
  await expect(first.getByRole('button', { name: 'Send again' })).toHaveCount(0);
  const got = await hal.device.waitForMessage();
  expect(got.body).toBe('are you still there?');

  // From the keyboard: the message's actions menu offers Send again while (and only while) it failed.
  demo!.server.unregister(hal.device);
  await send(page, 'second try');
  const second = page.locator('.timeline-message.out').filter({ hasText: 'second try' });
  await expect(second.getByText('Not sent')).toBeVisible({ timeout: 20_000 });
  demo!.server.register(hal.device);
  await second.focus();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('menu', { name: 'Message actions' });
  await expect(menu.getByRole('menuitem', { name: 'Send again' })).toBeVisible();
  await menu.getByRole('menuitem', { name: 'Send again' }).click();
  await expect(second.locator('[data-status="sent"], [data-status="delivered"]')).toBeVisible({
    timeout: 20_000,
  });
  expect((await hal.device.waitForMessage()).body).toBe('second try');
  // Exactly one copy of each: the next message Hal receives is the next one we send.
  await send(page, 'third');
  expect((await hal.device.waitForMessage()).body).toBe('third');
  await expect(timeline.locator('.timeline-message.out')).toHaveCount(3);
});
