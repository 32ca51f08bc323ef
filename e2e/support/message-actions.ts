/** UI steps of issue 14's specs: find a message in the open chat and act on it from the keyboard. */
import type { Locator, Page } from '@playwright/test';
import { expect } from '../fixtures.js';

export function timelineWith(page: Page, name: string): Locator {
  return page.getByRole('log', { name: `Messages with ${name}` });
}

/** The message (an article) whose own text is `text` (a quote of it elsewhere does not count). */
export function messageWith(timeline: Locator, text: string): Locator {
  const exact = new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return timeline
    .getByRole('article')
    .filter({ has: timeline.page().locator('p.bubble-text', { hasText: exact }) });
}

/** Focuses the message and opens its actions menu with Enter, as a keyboard user does. */
export async function openActions(message: Locator): Promise<Locator> {
  await message.focus();
  await message.page().keyboard.press('Enter');
  const menu = message.page().getByRole('menu', { name: 'Message actions' });
  await expect(menu).toBeVisible();
  return menu;
}

/** Opens the message's menu and presses one of its items with the keyboard (arrow keys, then Enter). */
export async function chooseAction(message: Locator, item: string): Promise<void> {
  const menu = await openActions(message);
  const target = menu.getByRole('menuitem', { name: item, exact: true });
  const focused = () =>
    target.evaluate((el) => (el as unknown as { matches(s: string): boolean }).matches(':focus'));
  for (let i = 0; i < 12 && !(await focused()); i += 1) await message.page().keyboard.press('ArrowDown');
  await expect(target).toBeFocused();
  await message.page().keyboard.press('Enter');
}
