/**
 * The browser side of the benchmarks that measure the UI: the web harness's renderer build (built once
 * when missing) in Debian's headless chromium.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { build } from 'vite';
import { DEFAULT_RENDERER_DIR } from '../e2e/harness/server.js';

export const BROWSER_NAME = 'Debian chromium (headless) via the web harness';

export async function launchBenchBrowser(): Promise<Browser> {
  if (!existsSync(join(DEFAULT_RENDERER_DIR, 'index.html'))) {
    await build({
      configFile: join(import.meta.dirname, '..', 'renderer', 'vite.config.ts'),
      mode: 'harness',
      logLevel: 'warn',
    });
  }
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
}
