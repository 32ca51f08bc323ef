/**
 * E2E: two projects over the same specs.
 * - web: Debian's chromium (/usr/bin/chromium, never a downloaded browser) against the web harness
 *   (e2e/harness: the built renderer + the typed API over an authenticated loopback WebSocket).
 * - electron: the real app through Playwright's _electron (e2e/electron-app.ts); every test is skipped
 *   with the reason when no Electron binary exists (as on this build machine).
 * `npm run test:e2e` builds the renderer first.
 * Output for an engineer: the list reporter, then why tests were skipped (e2e/support/skip-reasons-reporter);
 * a failed test keeps its trace and a screenshot; the app's JSON logs go to a file per test (e2e/fixtures.ts),
 * attached to the HTML report (playwright-report/, `npx playwright show-report`) with the screenshots.
 */
import { defineConfig } from '@playwright/test';
import type { AppFixtureOptions } from './e2e/fixtures.js';

export default defineConfig<AppFixtureOptions>({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  outputDir: './test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  // Two spec files at a time (each test starts its own harness and demo network on free ports): on this
  // 2-core machine the suite took 6.9 min instead of 8.4 min with one worker.
  workers: 2,
  retries: 0,
  reporter: [
    ['list'],
    ['./e2e/support/skip-reasons-reporter.ts'],
    ['html', { open: 'never', outputFolder: 'playwright-report' }],
  ],
  use: {
    trace: 'retain-on-failure',
    screenshot: { mode: 'only-on-failure', fullPage: true },
    video: 'off',
  },
  projects: [
    {
      name: 'web',
      use: {
        appKind: 'web',
        browserName: 'chromium',
        headless: true,
        launchOptions: {
          executablePath: '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
    {
      name: 'electron',
      use: { appKind: 'electron' },
    },
  ],
});
