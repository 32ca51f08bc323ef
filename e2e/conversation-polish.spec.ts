/**
 * Issue 17 "Missing" 5 — the conversation in Signal's conventions: day separators, compact times, delivery
 * ticks with accessible names, a header saying who this is, the encryption notice at the start of a chat,
 * one destructive button style, "Remove contact…" only for contacts, and toasts (new messages in a burst
 * come as one, counted) that stack with a cap over the chat list instead of over the timeline or the
 * composer. At 1280×800 and 640×480 (and 480×720 for
 * toasts), light and dark.
 */
import type { Locator, Page } from '@playwright/test';
import { randomInt } from 'node:crypto';
import { expect, snap, test } from './fixtures.js';
import { expectNoSeriousViolations } from './support/axe.js';
import { createProfile, lock, register, send, startChat, unlock } from './support/flows.js';
import { seedTimeline } from './support/seed-timeline.js';

const PASS = 'copper meadow 47 silent river';
const ADA = '7f0c3a52-0d4c-4c43-9f7e-2f7a4d6a1b11';
const STRANGER = '2b1d4e6f-8a9c-4b0d-9e1f-3a5c7e9b1d2f';
const SIZES = [
  { width: 1280, height: 800 },
  { width: 640, height: 480 },
] as const;

test.use({ locale: 'en-US' });

/** `days` calendar days before today at `hour`:`minute` local time (today: never later than now). */
function daysAgo(days: number, hour: number, minute = 0): number {
  const at = new Date();
  at.setDate(at.getDate() - days);
  at.setHours(hour, minute, 0, 0);
  return Math.min(at.getTime(), Date.now() - 1000);
}

async function box(locator: Locator) {
  const b = await locator.boundingBox();
  if (!b) throw new Error('not laid out');
  return b;
}

function overlaps(a: { x: number; y: number; width: number; height: number }, b: typeof a): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** No sideways scroll, and the composer and the newest message inside the window. */
async function expectFits(page: Page, newest: Locator): Promise<void> {
  const { scrollWidth, clientWidth } = await page.evaluate<{ scrollWidth: number; clientWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })',
  );
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  await expect(page.getByRole('textbox', { name: 'Message', exact: true })).toBeInViewport();
  await expect(newest).toBeInViewport();
}

test('day separators, compact times, ticks with names, header and encryption notice; Remove contact only for contacts', async ({
  app,
  profileDir,
}) => {
  const { page } = app;
  await page.setViewportSize(SIZES[0]);
  await createProfile(page, PASS);
  await lock(page);
  await seedTimeline(profileDir, {
    passphrase: PASS,
    ...(app.kdf ? { kdf: app.kdf } : {}),
    chats: [
      {
        contactName: 'Stranger Danger',
        serviceId: STRANGER,
        isContact: false,
        messages: [{ body: 'who is this?', at: daysAgo(1, 9), direction: 'out', status: 'sent' }],
      },
      {
        contactName: 'Ada Lovelace',
        serviceId: ADA,
        isContact: true,
        messages: [
          { body: 'long ago', at: daysAgo(10, 9, 15), direction: 'in' },
          { body: 'earlier this week', at: daysAgo(3, 14, 5), direction: 'in' },
          { body: 'this one failed', at: daysAgo(3, 14, 6), direction: 'out', status: 'failed' },
          { body: 'yesterday from Ada', at: daysAgo(1, 20, 30), direction: 'in' },
          { body: 'read by Ada', at: daysAgo(1, 20, 31), direction: 'out', status: 'read' },
          { body: 'delivered to Ada', at: daysAgo(0, 0, 1), direction: 'out', status: 'delivered' },
          { body: 'only sent', at: daysAgo(0, 0, 2), direction: 'out', status: 'sent' },
          // A send the vault closed under (seeded while locked): at unlock it reads "Not sent" with Send
          // again, never "Sending" for ever.
          { body: 'cut off by a lock', at: daysAgo(0, 0, 3), direction: 'out', status: 'pending' },
        ],
      },
    ],
  });
  await unlock(page, PASS);
  await page.getByRole('button', { name: /Ada Lovelace/ }).click();
  const log = page.getByRole('log', { name: 'Messages with Ada Lovelace' });

  // The header says who this is; the encryption notice opens the chat's history.
  await expect(page.getByRole('heading', { name: 'Ada Lovelace', level: 2 })).toBeVisible();
  await expect(log.locator('.encryption-notice')).toContainText(
    'Messages with Ada Lovelace are end-to-end encrypted',
  );

  // One separator per day: Today, Yesterday, a weekday, a date.
  const weekday = new Intl.DateTimeFormat('en-US', { weekday: 'long' }).format(daysAgo(3, 12));
  const longAgo = new Date(daysAgo(10, 12));
  const month = new Intl.DateTimeFormat('en-US', { month: 'short' }).format(longAgo);
  const separators = log.getByRole('heading', { level: 3 });
  await expect(separators).toHaveText([
    new RegExp(`${month} ${longAgo.getDate()}`),
    weekday,
    'Yesterday',
    'Today',
  ]);

  // Compact times (the full date in the tooltip).
  const time = log.locator('.bubble').filter({ hasText: 'yesterday from Ada' }).locator('time');
  await expect(time).toHaveText(/^\d{1,2}:\d{2}\sPM$/);
  await expect(time).toHaveAttribute('title', new RegExp(String(new Date(daysAgo(1, 20)).getFullYear())));

  // Delivery ticks: drawn, and named for screen readers (a failure in words on screen too).
  for (const [body, label] of [
    ['cut off by a lock', 'Not sent'],
    ['only sent', 'Sent'],
    ['delivered to Ada', 'Delivered'],
    ['read by Ada', 'Read'],
    ['this one failed', 'Not sent'],
  ] as const) {
    const ticks = log.locator('.bubble.out').filter({ hasText: body }).locator('.ticks');
    await expect(ticks, body).toHaveAttribute('title', label);
    await expect(ticks.getByText(label, { exact: true }), body).toBeAttached();
  }
  for (const body of ['this one failed', 'cut off by a lock']) {
    const failed = log.locator('.timeline-message.out').filter({ hasText: body });
    await expect(failed.getByText('Not sent', { exact: true }), body).toBeVisible();
    await expect(failed.getByRole('button', { name: 'Send again' }), body).toBeVisible();
  }
  await expect(log.getByRole('button', { name: 'Send again' })).toHaveCount(2);
  await expect(log.locator('.bubble.in .ticks')).toHaveCount(0);

  // One destructive style: the confirmation's "Remove contact" is the danger button, unlike Cancel.
  await page.getByRole('button', { name: 'Remove contact…' }).click();
  const remove = page.getByRole('button', { name: 'Remove contact', exact: true });
  await expect(remove).toHaveClass(/\bdanger\b/);
  await expect(remove).toHaveCSS('background-color', 'rgb(197, 34, 31)'); // --danger-bg (light)
  await expect(page.getByRole('button', { name: 'Cancel' })).not.toHaveCSS(
    'background-color',
    'rgb(197, 34, 31)',
  );
  await page.getByRole('button', { name: 'Cancel' }).click();

  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await expectFits(page, log.getByText('cut off by a lock', { exact: true }));
      await snap(page, `polish-chat-${size.width}x${size.height}-${scheme}`);
    }
    await expectNoSeriousViolations(page, `conversation polish (${scheme})`);
  }

  // Someone who is not in our contacts: no "Remove contact…", and the header and notice still say who.
  await page.setViewportSize(SIZES[0]);
  await page.getByRole('button', { name: /Stranger Danger/ }).click();
  await expect(page.getByRole('heading', { name: 'Stranger Danger', level: 2 })).toBeVisible();
  await expect(page.getByText('Stranger Danger is not in your contacts')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Remove contact…' })).toHaveCount(0);
});

test.describe('toasts', () => {
  test.use({ demoNetwork: true });

  test('a burst is one counted toast; toasts stack with a cap over the chat list, never over the timeline or the composer', async ({
    app,
    demo,
  }) => {
    const { page } = app;
    await page.setViewportSize(SIZES[0]);
    const echo = await demo!.createContact('Echo', { echo: true });
    const bea = await demo!.createContact('Bea', { echo: true });
    await createProfile(page, PASS);
    await register(page, `+1555${String(randomInt(1_000_000, 9_999_999))}`);
    await startChat(page, echo.aci, 'Echo');
    await send(page, 'hello echo');
    await expect(
      page.getByRole('log', { name: 'Messages with Echo' }).getByText('Echo: hello echo'),
    ).toBeVisible({ timeout: 20_000 });
    await startChat(page, bea.aci, 'Bea');
    await send(page, 'hello bea');
    const timeline = page.getByRole('log', { name: 'Messages with Bea' });
    await expect(timeline.getByText('Echo: hello bea')).toBeVisible({ timeout: 20_000 });

    // Echo writes five times while Bea's chat is open: the first is alerted at once, the rest arrive
    // before the next round of alerts is due and come as one, counted — never five toasts.
    const account = await app.service().call('account.status', {});
    if (!account.ok || !account.value.aci) throw new Error('not registered');
    for (let i = 1; i <= 5; i += 1) await echo.sendText(account.value.aci, `ping ${i}`);
    await expect(page.getByRole('listitem').filter({ hasText: 'ping 5' })).toBeVisible({ timeout: 20_000 });
    const toasts = page.locator('.toast');
    // (The hardened default shows neither name nor text: "New message", then "4 new messages".)
    await expect(toasts.filter({ hasText: /[2-4] new messages/ })).toBeVisible({ timeout: 10_000 });
    expect(await toasts.count()).toBeLessThanOrEqual(3);

    // Each size gets a fresh toast (they time out after a few seconds).
    let n = 5;
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const size of [...SIZES, { width: 480, height: 720 }]) {
        await page.setViewportSize(size);
        n += 1;
        await echo.sendText(account.value.aci, `ping ${n}`);
        await expect(page.getByRole('listitem').filter({ hasText: `ping ${n}` })).toBeVisible({
          timeout: 20_000,
        });
        await expect(toasts.last()).toBeVisible();
        expect(await toasts.count()).toBeLessThanOrEqual(3);
        const keepClear = [await box(timeline), await box(page.locator('form.composer'))];
        for (const toast of await toasts.filter({ visible: true }).all()) {
          const t = await box(toast);
          for (const area of keepClear) expect(overlaps(t, area), `${size.width}×${size.height}`).toBe(false);
        }
        await expectFits(page, timeline.getByText('Echo: hello bea'));
        await snap(page, `polish-toasts-${size.width}x${size.height}-${scheme}`);
      }
    }
  });
});
