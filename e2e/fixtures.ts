/**
 * The one E2E fixture: each test gets a fresh profile directory, the app started on it (web: the harness +
 * Debian chromium; electron: _electron via e2e/electron-app.ts, skipped with the reason when no binary
 * exists), optionally the local demo network, CSP-violation tracking, and a time-limited close.
 * The core's JSON log lines (harness and demo network run in the test's process) go to a file per test,
 * attached to the report, never to the reporter's output.
 */
import { test as base, expect, type Browser, type Page } from '@playwright/test';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoNetwork, type DemoNetwork } from '../src/demo/network.js';
import { TEST_KDF } from '../src/test-support/vault.js';
import type { KdfParams } from '../src/vault/index.js';
import { startHarness, type Harness } from './harness/server.js';
import type { CoreService } from '../src/api/service.js';
import type { CoreOptions } from '../src/api/core/context.js';
import { electronAvailable, launchElectronApp } from './electron-app.js';
import { setLogSink, type LogLevel } from '../src/log.js';
import { within } from '../src/async/within.js';

export interface AppFixtureOptions {
  appKind: 'web' | 'electron';
}

export interface TestOptions {
  /** Start the local demo network for this test. */
  demoNetwork: boolean;
  /** Low Argon2 cost for speed (the first-run spec uses the real defaults). */
  fastKdf: boolean;
  /** Link-preview fetch hooks for the harness core (a local https test site: its CA, loopback allowed). */
  linkPreviewHooks: CoreOptions['linkPreviews'];
  /**
   * A folder standing in for the platform's save dialog (web harness only): with it the harness core offers
   * native file dialogs as the Electron app does, and attachments.saveToDisk saves under the suggested name
   * there.
   */
  saveDir: string | undefined;
}

/** The app's clock (web harness only): tests move it forward to make PIN reminders due. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export interface AppHandle {
  page: Page;
  /** Closes the app and starts it again on the same profile (same page object for web). */
  restart(): Promise<void>;
  /**
   * The harness's core service (web only), for driving the SIMULATED side of a test (e.g. asking which
   * account the app registered so a demo contact can message it). Specs act on the app through the UI.
   * Under Electron the core runs in the app's main process: this throws, and such specs skip.
   */
  service(): CoreService;
  /** The Argon2 parameters the app creates vaults with (pass the same when seeding a profile). */
  readonly kdf: Partial<KdfParams> | undefined;
}

const CLOSE_LIMIT_MS = 10_000;
const ARTIFACTS = join(import.meta.dirname, 'artifacts');

async function withinLimit(work: Promise<unknown>, what: string): Promise<void> {
  if ((await within(work, CLOSE_LIMIT_MS)) === 'timed-out') {
    process.stderr.write(`e2e: ${what} did not close within ${CLOSE_LIMIT_MS} ms\n`);
  }
}

/** Saves a full-page screenshot under e2e/artifacts (git-ignored) and attaches it to the test's report. */
export async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await test.info().attach(name, { path, contentType: 'image/png' });
}

/** The level the app logs at in E2E runs (to the per-test file, so `info` costs no reporter noise). */
const E2E_LOG_LEVEL = (process.env.CARAPACE_LOG_LEVEL as LogLevel | undefined) ?? 'info';
/** Between tests the worker's own lines go to stderr again, at the app's usual level. */
const RUNNER_LOG_LEVEL = (process.env.CARAPACE_LOG_LEVEL as LogLevel | undefined) ?? 'warn';

// Browser-side code as strings: the Node tsconfig has no DOM types.
const CSP_TRACKER = `
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
  });
`;

async function trackCsp(page: Page): Promise<void> {
  await page.addInitScript({ content: CSP_TRACKER });
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('window.__csp ?? []');
}

export const test = base.extend<
  {
    electronGate: void;
    appLog: string;
    profileDir: string;
    demo: DemoNetwork | undefined;
    clock: TestClock;
    app: AppHandle;
  } & TestOptions,
  AppFixtureOptions & { webBrowser: Browser | undefined }
>({
  appKind: ['web', { option: true, scope: 'worker' }],
  demoNetwork: [false, { option: true }],
  fastKdf: [true, { option: true }],
  linkPreviewHooks: [undefined, { option: true }],
  saveDir: [undefined, { option: true }],

  // eslint-disable-next-line no-empty-pattern
  clock: async ({}, use) => {
    let offset = 0;
    await use({ now: () => Date.now() + offset, advance: (ms) => (offset += ms) });
  },

  // eslint-disable-next-line no-empty-pattern
  profileDir: async ({}, use) => {
    const root = mkdtempSync(join(tmpdir(), 'carapace-e2e-'));
    const dir = join(root, 'profile');
    mkdirSync(dir, { mode: 0o700 });
    await use(dir);
    rmSync(root, { recursive: true, force: true });
  },

  // The app's log lines for this test, as JSON lines in the test's output dir (attached when not empty).
  // Auto fixtures are set up before the others, so the demo network's and the harness's lines land here too.
  appLog: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use, testInfo) => {
      const file = testInfo.outputPath('app-log.jsonl');
      mkdirSync(testInfo.outputDir, { recursive: true });
      setLogSink((level, event, fields) => {
        appendFileSync(file, `${JSON.stringify({ t: new Date().toISOString(), level, event, ...fields })}\n`);
      }, E2E_LOG_LEVEL);
      await use(file);
      setLogSink(undefined, RUNNER_LOG_LEVEL);
      if (existsSync(file))
        await testInfo.attach('app-log', { path: file, contentType: 'application/x-ndjson' });
    },
    { auto: true },
  ],

  demo: async ({ demoNetwork }, use) => {
    if (!demoNetwork) {
      await use(undefined);
      return;
    }
    const network = await startDemoNetwork();
    await use(network);
    await withinLimit(network.close(), 'demo network');
  },

  // Runs before every other fixture: no browser or app is started for a skipped Electron run.
  electronGate: [
    async ({ appKind }, use, testInfo) => {
      if (appKind === 'electron') {
        const available = electronAvailable();
        testInfo.skip(!available.ok, available.ok ? '' : `Electron: ${available.reason}`);
      }
      await use();
    },
    { auto: true },
  ],

  // Debian chromium for the web project, launched only there (the config's launchOptions).
  webBrowser: [
    async ({ appKind, playwright, launchOptions }, use) => {
      if (appKind !== 'web') {
        await use(undefined);
        return;
      }
      const browser = await playwright.chromium.launch(launchOptions);
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],

  app: async (
    { appKind, webBrowser, profileDir, demo, fastKdf, clock, linkPreviewHooks, saveDir },
    use,
    testInfo,
  ) => {
    if (appKind === 'electron') {
      let launched = await launchElectronApp({ profileDir, ...(demo ? { demoConfig: demo.config } : {}) });
      const handle: AppHandle = {
        get page() {
          return launched.page;
        },
        async restart() {
          await launched.close();
          launched = await launchElectronApp({ profileDir, ...(demo ? { demoConfig: demo.config } : {}) });
        },
        service() {
          testInfo.skip(true, 'Electron: the core runs inside the app; this spec drives the harness core');
          throw new Error('unreachable');
        },
        kdf: undefined,
      };
      await use(handle);
      await launched.close();
      return;
    }
    if (!webBrowser) throw new Error('no browser for the web project');
    const context = await webBrowser.newContext();
    const page = await context.newPage();
    let harness: Harness | undefined;
    const start = async (): Promise<void> => {
      harness = await startHarness({
        profileDir,
        ...(demo ? { demoNetwork: demo } : {}),
        ...(fastKdf ? { vault: { kdf: TEST_KDF } } : {}),
        ...(linkPreviewHooks ? { linkPreviews: linkPreviewHooks } : {}),
        ...(saveDir
          ? {
              chooseSavePath: (name: string) => Promise.resolve(join(saveDir, name)),
              pickFiles: () => Promise.resolve([]),
            }
          : {}),
        // Offset 0 unless a test moves it (PIN reminders): the same as Date.now.
        clock: () => clock.now(),
      });
      await page.goto(harness.url);
    };
    await trackCsp(page);
    await start();
    await use({
      page,
      async restart() {
        const old = harness;
        harness = undefined;
        await page.goto('about:blank');
        if (old) await withinLimit(old.close(), 'harness');
        await start();
      },
      service() {
        if (!harness) throw new Error('the harness is not running');
        return harness.service;
      },
      kdf: fastKdf ? TEST_KDF : undefined,
    });
    const violations = await cspViolations(page).catch(() => []);
    if (harness) await withinLimit(harness.close(), 'harness');
    await context.close();
    expect(violations, 'CSP violations').toEqual([]);
  },
});

export { expect };
