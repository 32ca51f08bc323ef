/**
 * Time to first render of a 10,000-message conversation in the web harness (Debian chromium), against a
 * conversation of exactly one page (50 messages: what the renderer asks for first) measured in the same run.
 * The ratio shows whether opening cost grows with HISTORY size (it should not: the core pages 50 rows, the
 * renderer virtualizes the timeline). A 10-message conversation is measured too (details): against it the
 * big one also renders 5× the rows, which is page fill, not history.
 * Each sample is measured in the page with performance marks, not counted in frames: from the click
 * event's dispatch (a capture listener on the document: the selection) to the DOM commit that put the
 * conversation's newest row in the timeline (a MutationObserver, which runs right after React's commit,
 * before the browser paints), with the moment conversation.open answered in between. No hook in the app is
 * needed. Frames are counted separately: animation frames from the click to the first frame after that
 * commit (the one that paints it). Every measured open starts from the same short chat.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness } from '../e2e/harness/server.js';
import { seedConversation } from '../e2e/support/seed.js';
import { Vault } from '../src/vault/index.js';
import { TEST_KDF } from '../src/test-support/vault.js';
import { BROWSER_NAME, launchBenchBrowser } from './browser.js';
import type { BenchModule } from './types.js';

const PASS = 'bench passphrase for paint 1';
const BIG = 10_000;
const PAGE_SIZE = 50; // renderer/bridge.ts PAGE
const SMALL = 10;
/** Opened (unmeasured) before every measured open, so each starts from the same screen: a short chat. */
const START = 'Origin';
const ROUNDS = 30;
const WARM_UP_ROUNDS = 2;

interface Sample {
  /** Selection → first commit showing the newest row (ms). */
  readonly committed: number;
  /** Selection → the core's answer to conversation.open arrived in the page (ms). */
  readonly answered: number;
  /** Animation frames from the selection to the first frame after that commit (the one painting it). */
  readonly frames: number;
}

/**
 * Installed in the page: measures the next selection → commit of the row whose text is `newest`, with
 * performance marks (select → open answered → rows committed). The API call is wrapped from outside the
 * app (no hook in the app); the commit is seen by a MutationObserver, which runs right after React's
 * commit, before the browser paints.
 */
const PROBE = `(() => {
  const api = window.carapace.conversation;
  const open = api.open;
  api.open = async (input) => {
    const result = await open(input);
    performance.mark('paint:open-answered');
    return result;
  };
  window.__carapaceAllRead = async () => {
    const list = await window.carapace.conversations.list();
    return list.ok && list.value.every((c) => c.unreadCount === 0);
  };
  window.__carapacePaint = (newest) => new Promise((resolve) => {
    let started = false;
    let frames = 0;
    performance.clearMarks();
    performance.clearMeasures();
    const onClick = () => {
      started = true;
      performance.mark('paint:select');
      const tick = () => { frames += 1; if (started) requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    };
    document.addEventListener('click', onClick, { capture: true, once: true });
    const has = () => [...(document.querySelector('[role="log"]')?.querySelectorAll('*') ?? [])]
      .some((el) => el.childElementCount === 0 && el.textContent === newest);
    const observer = new MutationObserver(() => {
      if (!started || !has()) return;
      observer.disconnect();
      const committed = performance.measure('paint:committed', 'paint:select').duration;
      const answered = performance.measure('paint:answer', 'paint:select', 'paint:open-answered').duration;
      requestAnimationFrame(() => {
        started = false;
        resolve({ committed, answered, frames: frames + 1 });
      });
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  });
})()`;

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN;
}
const median = (values: readonly number[]): number => quantile(values, 0.5);
const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

/** Median, interquartile range, the answer part and the frames of one conversation's samples. */
function summary(samples: readonly Sample[]) {
  const ms = samples.map((s) => s.committed);
  return {
    medianMs: round(median(ms)),
    iqrMs: [round(quantile(ms, 0.25)), round(quantile(ms, 0.75))],
    openAnsweredMedianMs: round(median(samples.map((s) => s.answered))),
    framesMedian: median(samples.map((s) => s.frames)),
    samplesMs: ms.map((v) => round(v)),
  };
}

export const conversationPaintBench: BenchModule = {
  name: 'conversation-paint',
  async run() {
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
    await seed(START, SMALL);

    const harness = await startHarness({ profileDir, vault: { kdf: TEST_KDF } });
    const browser = await launchBenchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(harness.url);
      await page.getByLabel('Passphrase').fill(PASS);
      await page.getByRole('button', { name: 'Unlock' }).click();
      await page.getByRole('button', { name: /Small/ }).waitFor();
      await page.evaluate(PROBE);

      const select = (name: string) => page.getByRole('button', { name: new RegExp(name) }).click();
      const newest = (name: string, count: number) => `${name} message ${count - 1}`;
      /** From the START chat (opened and shown first), select `name` and measure it. */
      const open = async (name: string, count: number): Promise<Sample> => {
        await select(START);
        await page.getByRole('log').getByText(newest(START, SMALL), { exact: true }).waitFor();
        const measured = page.evaluate<Sample>(
          `window.__carapacePaint(${JSON.stringify(newest(name, count))})`,
        );
        await select(name);
        return measured;
      };
      const sizes = [
        { name: 'Page', count: PAGE_SIZE },
        { name: 'Small', count: SMALL },
        { name: 'Big', count: BIG },
      ] as const;
      // Warm-up (JIT, first layouts). Opening marks each chat read: wait until the core has done so (10,000
      // unread take seconds), or that work would overlap the first measured rounds.
      for (let i = 0; i < WARM_UP_ROUNDS; i++) for (const { name, count } of sizes) await open(name, count);
      const deadline = Date.now() + 120_000;
      while (!(await page.evaluate<boolean>('window.__carapaceAllRead()'))) {
        if (Date.now() > deadline) throw new Error('paint bench: the chats were not marked read in 2 min');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const samples: Record<(typeof sizes)[number]['name'], Sample[]> = { Page: [], Small: [], Big: [] };
      for (let round = 0; round < ROUNDS; round++) {
        // Rotated order, so a load burst or a position in the round favours no size.
        for (let k = 0; k < sizes.length; k++) {
          const { name, count } = sizes[(round + k) % sizes.length]!;
          samples[name].push(await open(name, count));
        }
      }
      const ms = (list: readonly Sample[]) => list.map((s) => s.committed);
      const big = summary(samples.Big);
      const onePage = summary(samples.Page);
      const small = summary(samples.Small);
      // Stability: the ratio of each half of the rounds on its own (the run-to-run spread is of this order).
      const half = Math.floor(ROUNDS / 2);
      const ratioOf = (from: number, to: number) =>
        round(median(ms(samples.Big.slice(from, to))) / median(ms(samples.Page.slice(from, to))), 3);
      return {
        ratio: round(big.medianMs / onePage.medianMs, 3),
        ratioMeaning: `selection → first committed render of the newest row, 10,000-message conversation ÷ a one-page (50-message) one (performance marks in the page, median of ${ROUNDS} rotated rounds, each open from the same short chat); lower is better, 1.0 = history size does not matter`,
        target: '≤ 1.2',
        details: {
          big,
          onePage,
          small,
          ratioToTenMessages: round(big.medianMs / small.medianMs, 3),
          ratioByHalf: [ratioOf(0, half), ratioOf(half, ROUNDS)],
          messages: BIG,
          rounds: ROUNDS,
          warmUpRounds: WARM_UP_ROUNDS,
          loadAverage: round(loadavg()[0] ?? 0, 2),
          browser: BROWSER_NAME,
          notes:
            "committed: click dispatch (capture listener) → the DOM commit putting the newest row in the timeline (MutationObserver); openAnsweredMedianMs: the part until conversation.open answered in the page (the core, over the harness WebSocket); frames: animation frames up to the one painting the commit. Every measured open starts from the same short chat, so no sample inherits a longer chat's scroll position.",
        },
      };
    } finally {
      await browser.close();
      await harness.close();
      rmSync(root, { recursive: true, force: true });
    }
  },
};
