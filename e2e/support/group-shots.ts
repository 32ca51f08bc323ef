/** Issue 15's screens: each group screen full-page at 1280×800 and 640×480, light and dark, axe on each. */
import type { Page } from '@playwright/test';
import { snap } from '../fixtures.js';
import { expectNoSeriousViolations } from './axe.js';

const SIZES = [
  { width: 1280, height: 800 },
  { width: 640, height: 480 },
] as const;

export async function groupScreen(page: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await snap(page, `${name}-${size.width}x${size.height}-${colorScheme}`);
      await expectNoSeriousViolations(page, `${name} ${size.width}x${size.height} ${colorScheme}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(SIZES[0]);
}
