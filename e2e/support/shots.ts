import type { Page } from '@playwright/test';
import { snap } from '../fixtures.js';
import { expectNoSeriousViolations } from './axe.js';

/** A screen at 1280×800, then at the minimum window size in light and dark, each scanned by axe. */
export async function shotsWithScans(page: Page, name: string): Promise<void> {
  await snap(page, name);
  await page.setViewportSize({ width: 640, height: 480 });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await snap(page, `${name}-640x480-${colorScheme}`);
    await expectNoSeriousViolations(page, `${name} (${colorScheme})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 800 });
}
