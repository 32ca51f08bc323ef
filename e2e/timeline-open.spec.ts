import { randomUUID } from 'node:crypto';
import { expect, test } from './fixtures.js';
import { createProfile, lock, unlock } from './support/flows.js';
import { seedConversation } from './support/seed.js';

const PASS = 'amber kettle 42 quiet moss';
const LONG = 200;

/**
 * Issue 19 goal 4: opening a chat renders its newest rows in the FIRST commit, whatever was open before.
 * The timeline used to keep the previous chat's scroll position: after a short chat (scrolled to the top)
 * a long one first rendered its oldest loaded rows, and only a scroll later its newest — a second render
 * pass on every such open (the paint benchmark's big-vs-one-page gap). Behaviour, not timing: the first
 * DOM mutation batch that shows any of the long chat's rows must already hold its newest one.
 */
test('a chat opened after a short one shows its newest message in its first render', async ({
  app,
  profileDir,
}) => {
  const { page } = app;
  await createProfile(page, PASS);
  await lock(page);
  const seed = (name: string, count: number) =>
    seedConversation(profileDir, {
      passphrase: PASS,
      ...(app.kdf ? { kdf: app.kdf } : {}),
      contactName: name,
      serviceId: randomUUID(),
      bodies: Array.from({ length: count }, (_, i) => `${name} line ${i}`),
    });
  await seed('Long', LONG);
  await seed('Short', 3);
  await unlock(page, PASS);

  for (let round = 0; round < 2; round++) {
    await page.getByRole('button', { name: /Short/ }).click();
    const short = page.getByRole('log', { name: 'Messages with Short' });
    await expect(short.getByText('Short line 2', { exact: true })).toBeVisible();

    const firstRender = page.evaluate<{ newestShown: boolean; shown: string[] }>(`new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        const shown = [...document.querySelectorAll('[role="log"] .bubble-text')].map((el) => el.textContent);
        if (!shown.some((text) => text.startsWith('Long line '))) return;
        observer.disconnect();
        resolve({ newestShown: shown.includes('Long line ${LONG - 1}'), shown: shown.slice(0, 3) });
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    })`);
    await page.getByRole('button', { name: /Long/ }).click();
    const { newestShown, shown } = await firstRender;
    expect(newestShown, `first render began with ${shown.join(' | ')}`).toBe(true);
    const long = page.getByRole('log', { name: 'Messages with Long' });
    await expect(long.getByText(`Long line ${LONG - 1}`, { exact: true })).toBeInViewport();
  }
});
