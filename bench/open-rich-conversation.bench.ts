/**
 * Opening a conversation whose history MEANS more (issue 14): 10,000 messages where every third quotes an
 * earlier one, every fourth carries reactions (ours and the contact's), every fifth was edited and every
 * fiftieth was deleted for everyone — against 10,000 plain texts. Through the app's own API core (offline):
 * `conversation.open` (the newest 50 with the conversation) and then scrolling back 5 more pages with
 * `messages.page` — what the user waits for. Each is the median of ROUNDS lock/unlock cycles, the two
 * profiles alternated. ratio = rich ÷ plain (target ≤ 1.2).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCoreService, type CoreService } from '../src/api/service.js';
import { MessageMeaning } from '../src/messaging/meaning.js';
import { MessageStore } from '../src/messaging/store.js';
import { TEST_KDF, TEST_PASSPHRASE } from '../src/test-support/vault.js';
import { Vault } from '../src/vault/index.js';
import type { BenchModule } from './types.js';

const ROUNDS = 9;
const MESSAGES = 10_000;
const SCROLL_PAGES = 5;
const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** One conversation of MESSAGES alternating in/out texts; `rich` adds quotes, reactions, edits, deletes. */
async function seed(dir: string, rich: boolean): Promise<string> {
  const vault = new Vault(dir, { kdf: TEST_KDF });
  await vault.create(Buffer.from(TEST_PASSPHRASE));
  try {
    const store = new MessageStore(vault.db);
    const meaning = new MessageMeaning(vault.db, store, undefined, undefined);
    const contact = randomUUID();
    const us = randomUUID();
    const conversationId = store.getOrCreateConversation(contact, {
      profileName: 'Contact',
      isContact: true,
    }).id;
    const base = Date.now() - MESSAGES * 1000;
    const sent: Array<{ id: string; author: string; sentAt: number; body: string }> = [];
    store.transaction(() => {
      for (let i = 0; i < MESSAGES; i += 1) {
        const sentAt = base + i * 1000;
        const body = `message ${i}, about as long as a chat line in a real conversation`;
        const quoted = rich && i % 3 === 0 && i > 0 ? sent[i - 1 - (i % 7)] : undefined;
        const quote = quoted && {
          authorServiceId: quoted.author,
          sentAt: quoted.sentAt,
          text: quoted.body,
          attachment: null,
        };
        const incoming = i % 2 === 0;
        const message = incoming
          ? store.insertIncoming({
              conversationId,
              sourceServiceId: contact,
              sourceDevice: 1,
              sentAt,
              body,
              ...(quote ? { quote } : {}),
            }).message!
          : store.insertOutgoing({
              conversationId,
              sourceServiceId: us,
              sourceDevice: 1,
              sentAt,
              body,
              status: 'read',
              ...(quote ? { quote } : {}),
            });
        sent.push({ id: message.id, author: incoming ? contact : us, sentAt, body });
        if (!rich) continue;
        if (i % 4 === 0) {
          meaning.react(message.id, contact, '👍', sentAt + 10);
          meaning.react(message.id, us, '❤️', sentAt + 20);
        }
        if (i % 5 === 0) meaning.edit(message.id, `${body} (edited)`, sentAt + 30);
        if (i % 50 === 0) meaning.eraseForEveryone(message.id);
      }
    });
    store.markRead(conversationId);
    return conversationId;
  } finally {
    vault.lock('shutdown');
  }
}

async function call<T>(service: CoreService, name: string, input: unknown): Promise<T> {
  const result = (await (service.call as (n: string, i: unknown) => Promise<unknown>)(name, input)) as
    { ok: true; value: T } | { ok: false; error: { code: string } };
  if (!result.ok) throw new Error(`open-rich-conversation bench: ${name} failed with ${result.error.code}`);
  return result.value;
}

interface Sample {
  readonly openMs: number;
  readonly scrollMs: number;
}

interface Profile {
  readonly rich: boolean;
  readonly conversationId: string;
  readonly service: CoreService;
  readonly samples: Sample[];
}

async function sample(service: CoreService, conversationId: string): Promise<Sample> {
  await call(service, 'vault.unlock', { passphrase: TEST_PASSPHRASE });
  const start = performance.now();
  const opened = await call<{ page: { nextCursor: string | null } }>(service, 'conversation.open', {
    conversationId,
    limit: 50,
  });
  const openMs = performance.now() - start;
  let cursor = opened.page.nextCursor;
  const scrollStart = performance.now();
  for (let p = 0; p < SCROLL_PAGES && cursor; p += 1) {
    const page = await call<{ nextCursor: string | null }>(service, 'messages.page', {
      conversationId,
      before: cursor,
      limit: 50,
    });
    cursor = page.nextCursor;
  }
  const scrollMs = performance.now() - scrollStart;
  await call(service, 'vault.lock', { reason: 'user' });
  return { openMs, scrollMs };
}

export const openRichConversationBench: BenchModule = {
  name: 'open-rich-conversation',
  async run() {
    const root = mkdtempSync(join(tmpdir(), 'carapace-bench-rich-'));
    const services: CoreService[] = [];
    try {
      const profiles: Profile[] = [];
      for (const rich of [false, true]) {
        const dir = join(root, rich ? 'rich' : 'plain');
        const conversationId = await seed(dir, rich);
        const service = createCoreService({ profileDir: dir, vault: { kdf: TEST_KDF } });
        services.push(service);
        profiles.push({ rich, conversationId, service, samples: [] });
      }
      const loadBefore = loadavg()[0] ?? 0;
      for (let r = 0; r <= ROUNDS; r += 1) {
        for (const profile of profiles) {
          const s = await sample(profile.service, profile.conversationId);
          if (r > 0) profile.samples.push(s); // round 0 warms up (JIT, page cache)
        }
      }
      const summary = (p: Profile) => ({
        openMedianMs: round(median(p.samples.map((s) => s.openMs))),
        scrollMedianMs: round(median(p.samples.map((s) => s.scrollMs))),
        totalMedianMs: round(median(p.samples.map((s) => s.openMs + s.scrollMs))),
        openSamplesMs: p.samples.map((s) => round(s.openMs, 1)),
      });
      const [plain, rich] = profiles.map(summary) as [ReturnType<typeof summary>, ReturnType<typeof summary>];
      return {
        ratio: round(rich.totalMedianMs / plain.totalMedianMs, 3),
        ratioMeaning:
          'open a 10,000-message conversation and scroll back 5 pages (conversation.open + messages.page ×5 through the API core) with quotes, reactions, edits and tombstones ÷ plain texts; lower is better',
        target: '≤ 1.2',
        details: {
          openRatio: round(rich.openMedianMs / plain.openMedianMs, 3),
          plain,
          rich,
          rounds: ROUNDS,
          loadAverage: round(loadBefore),
          notes:
            'Rich: every 3rd message quotes an earlier one (its original looked up by author + sent time), every 4th has two reactions, every 5th was edited, every 50th deleted for everyone. A quote and the reactions are read with each row by correlated subqueries (message_quotes, message_reactions: primary-key lookups).',
        },
      };
    } finally {
      for (const service of services) await service.close();
      rmSync(root, { recursive: true, force: true });
    }
  },
};
