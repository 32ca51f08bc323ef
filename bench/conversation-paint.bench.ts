/**
 * Time to first paint of a 10,000-message conversation in the web harness (Debian chromium), against a
 * 10-message conversation measured in the same run. The ratio shows whether opening cost grows with
 * history size (it should not: the core pages 50 rows, the renderer virtualizes the timeline).
 * Each sample: click the conversation → its newest message is visible → the next animation frame ran.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { build } from 'vite';
import { DEFAULT_RENDERER_DIR, startHarness } from '../e2e/harness/server.js';
import { seedConversation } from '../e2e/support/seed.js';
import { Vault } from '../src/vault/index.js';
import { TEST_KDF } from '../src/test-support/vault.js';
import type { BenchModule } from './types.js';

const PASS = 'bench passphrase for paint 1';
const BIG = 10_000;
const SMALL = 10;
const ROUNDS = 9;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export const conversationPaintBench: BenchModule = {
  name: 'conversation-paint',
  async run() {
    if (!existsSync(join(DEFAULT_RENDERER_DIR, 'index.html'))) {
      await build({
        configFile: join(import.meta.dirname, '..', 'renderer', 'vite.config.ts'),
        mode: 'harness',
        logLevel: 'warn',
      });
    }
    const root = mkdtempSync(join(tmpdir(), 'carapace-bench-paint-'));
    const profileDir = join(root, 'profile');
    const vault = new Vault(profileDir, { kdf: TEST_KDF });
    await vault.create(Buffer.from(PASS));
    vault.lock('shutdown');
    const seed = (name: string, count: number) =>
      seedConversation(profileDir, {
        passphrase: PASS,
        kdf: TEST_KDF,
        contactName: name,
        serviceId: randomUUID(),
        bodies: Array.from({ length: count }, (_, i) => `${name} message ${i}`),
      });
    await seed('Big', BIG);
    await seed('Small', SMALL);

    const harness = await startHarness({ profileDir, vault: { kdf: TEST_KDF } });
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(harness.url);
      await page.getByLabel('Passphrase').fill(PASS);
      await page.getByRole('button', { name: 'Unlock' }).click();
      await page.getByRole('button', { name: /Small/ }).waitFor();

      const open = async (name: string, count: number): Promise<number> => {
        const newest = page.getByRole('log').getByText(`${name} message ${count - 1}`, { exact: true });
        const start = performance.now();
        await page.getByRole('button', { name: new RegExp(name) }).click();
        await newest.waitFor({ state: 'visible' });
        await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))');
        return performance.now() - start;
      };
      // Warm-up (JIT, first page layout), then alternate.
      await open('Small', SMALL);
      await open('Big', BIG);
      const big: number[] = [];
      const small: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        small.push(await open('Small', SMALL));
        big.push(await open('Big', BIG));
      }
      const bigMs = median(big);
      const smallMs = median(small);
      return {
        ratio: bigMs / smallMs,
        ratioMeaning:
          'time to first paint of a 10,000-message conversation ÷ a 10-message one (lower is better; 1.0 = size does not matter)',
        target: '≤ 1.5',
        details: {
          bigMedianMs: Math.round(bigMs * 10) / 10,
          smallMedianMs: Math.round(smallMs * 10) / 10,
          bigSamplesMs: big.map((v) => Math.round(v)),
          smallSamplesMs: small.map((v) => Math.round(v)),
          messages: BIG,
          browser: 'Debian chromium (headless) via the web harness',
        },
      };
    } finally {
      await browser.close();
      await harness.close();
      rmSync(root, { recursive: true, force: true });
    }
  },
};
