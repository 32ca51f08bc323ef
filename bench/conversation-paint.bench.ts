/**
 * Time to first render of a 10,000-message conversation in the web harness (Debian chromium), against a
 * conversation of exactly one page (50 messages: what the renderer asks for first) measured in the same run.
 * The ratio shows whether opening cost grows with HISTORY size (it should not: the core pages 50 rows, the
 * renderer virtualizes the timeline). A 10-message conversation is measured too (details): against it the
 * big one also renders 5× the rows, which is page fill, not history.
 * Each sample is measured in the page, not counted in frames: from the click event's dispatch (a capture
 * listener on the document: the selection) to the DOM commit that put the conversation's newest row in
 * the timeline (a MutationObserver, which runs right after React's commit, before the browser paints).
 * No hook in the app is needed. Frames are counted separately: animation frames from the click to the
 * first frame after that commit (the one that paints it).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
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
const PAGE_SIZE = 50; // renderer/bridge.ts PAGE
const SMALL = 10;
const ROUNDS = 25;

/** Installed in the page: measures the next selection → commit of the row whose text is `newest`. */
const PROBE = `window.__carapacePaint = (newest) => new Promise((resolve) => {
  let start = null;
  let frames = 0;
  const onClick = () => {
    start = performance.now();
    const tick = () => { frames += 1; if (start !== null) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  };
  document.addEventListener('click', onClick, { capture: true, once: true });
  const has = () => [...(document.querySelector('[role="log"]')?.querySelectorAll('*') ?? [])]
    .some((el) => el.childElementCount === 0 && el.textContent === newest);
  const observer = new MutationObserver(() => {
    if (start === null || !has()) return;
    const committed = performance.now() - start;
    observer.disconnect();
    requestAnimationFrame(() => {
      const painted = frames + 1;
      start = null;
      resolve({ committed, frames: painted });
    });
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
})`;

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN;
}
const median = (values: readonly number[]): number => quantile(values, 0.5);
const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

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
    await seed('Page', PAGE_SIZE);

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

      await page.evaluate(PROBE);

      const open = async (name: string, count: number): Promise<{ committed: number; frames: number }> => {
        const measured = page.evaluate<{ committed: number; frames: number }>(
          `window.__carapacePaint(${JSON.stringify(`${name} message ${count - 1}`)})`,
        );
        await page.getByRole('button', { name: new RegExp(name) }).click();
        return measured;
      };
      // Warm-up (JIT, first page layout), then alternate so load bursts hit both sizes.
      await open('Small', SMALL);
      await open('Page', PAGE_SIZE);
      await open('Big', BIG);
      const big: Array<{ committed: number; frames: number }> = [];
      const small: Array<{ committed: number; frames: number }> = [];
      const onePage: Array<{ committed: number; frames: number }> = [];
      for (let i = 0; i < ROUNDS; i++) {
        onePage.push(await open('Page', PAGE_SIZE));
        small.push(await open('Small', SMALL));
        big.push(await open('Big', BIG));
      }
      const ms = (samples: typeof big) => samples.map((s) => s.committed);
      const bigMs = median(ms(big));
      const pageMs = median(ms(onePage));
      const smallMs = median(ms(small));
      // Stability: the ratio of each half of the rounds on its own (the run-to-run spread is of this order).
      const half = Math.floor(ROUNDS / 2);
      const halves = [
        [0, half],
        [half, ROUNDS],
      ].map(([from, to]) => round(median(ms(big.slice(from, to))) / median(ms(onePage.slice(from, to))), 3));
      return {
        ratio: round(bigMs / pageMs, 3),
        ratioMeaning:
          'selection → first committed render of the newest row, 10,000-message conversation ÷ a one-page (50-message) one (median of 25 alternated rounds, measured in the page); lower is better, 1.0 = history size does not matter',
        target: '≤ 1.2',
        details: {
          bigMedianMs: round(bigMs),
          onePageMedianMs: round(pageMs),
          smallMedianMs: round(smallMs),
          ratioToTenMessages: round(bigMs / smallMs, 3),
          bigIqrMs: [round(quantile(ms(big), 0.25)), round(quantile(ms(big), 0.75))],
          onePageIqrMs: [round(quantile(ms(onePage), 0.25)), round(quantile(ms(onePage), 0.75))],
          smallIqrMs: [round(quantile(ms(small), 0.25)), round(quantile(ms(small), 0.75))],
          ratioByHalf: halves,
          bigFramesMedian: median(big.map((s) => s.frames)),
          smallFramesMedian: median(small.map((s) => s.frames)),
          bigSamplesMs: ms(big).map((v) => round(v)),
          onePageSamplesMs: ms(onePage).map((v) => round(v)),
          smallSamplesMs: ms(small).map((v) => round(v)),
          messages: BIG,
          rounds: ROUNDS,
          loadAverage: round(loadavg()[0] ?? 0, 2),
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
