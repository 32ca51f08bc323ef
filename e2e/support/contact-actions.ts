/**
 * The simulated contact's side of issue 14 (test only): replies, reactions, deletes for everyone, edits and
 * timer changes encoded and encrypted by the MOCK's own device (not our code), as a real phone sends them;
 * plus the setup every issue-14 spec shares (a registered profile chatting with demo contacts).
 */
import { randomInt } from 'node:crypto';
import { EMPTY_DATA_MESSAGE } from '@signalapp/mock-server';
import type { DemoContact, DemoNetwork } from '../../src/demo/network.js';
import type { Locator } from '@playwright/test';
import type { AppHandle } from '../fixtures.js';
import { expect } from '../fixtures.js';
import { createProfile, register, send, startChat } from './flows.js';
import { timelineWith } from './message-actions.js';

const PASS = 'saffron kettle 83 window frost';

/** The contact sends one DataMessage with these fields to us; returns its sent timestamp. */
async function contactSendsData(
  contact: DemoContact,
  toAci: string,
  fields: Record<string, unknown>,
  timestamp = Date.now(),
): Promise<number> {
  const target = await contact.ensureSession(toAci);
  await contact.device.sendRaw(target, {
    content: { dataMessage: { ...EMPTY_DATA_MESSAGE, timestamp: BigInt(timestamp), ...fields } },
    pniSignatureMessage: null,
    senderKeyDistributionMessage: null,
  });
  return timestamp;
}

/** A plain text from the contact; returns its sent timestamp (Signal's id of the message). */
export function contactSays(contact: DemoContact, toAci: string, body: string): Promise<number> {
  return contactSendsData(contact, toAci, { body });
}

/** A reply quoting the message sent at `quotedAt` by `authorAci` (ours or theirs). */
export function contactReplies(
  contact: DemoContact,
  toAci: string,
  body: string,
  quote: { quotedAt: number; authorAci: string; text: string },
): Promise<number> {
  return contactSendsData(contact, toAci, {
    body,
    quote: {
      id: BigInt(quote.quotedAt),
      authorAci: quote.authorAci,
      text: quote.text,
      attachments: [],
      bodyRanges: [],
    },
  });
}

export function contactReacts(
  contact: DemoContact,
  toAci: string,
  reaction: { emoji: string; targetAuthorAci: string; targetSentAt: number; remove?: boolean },
): Promise<number> {
  return contactSendsData(contact, toAci, {
    reaction: {
      emoji: reaction.emoji,
      remove: reaction.remove ?? false,
      targetAuthorAci: reaction.targetAuthorAci,
      targetSentTimestamp: BigInt(reaction.targetSentAt),
    },
  });
}

/** Delete for everyone of the contact's own message sent at `targetSentAt`. */
export function contactDeletes(contact: DemoContact, toAci: string, targetSentAt: number): Promise<number> {
  return contactSendsData(contact, toAci, { delete: { targetSentTimestamp: BigInt(targetSentAt) } });
}

/** The contact edits its message sent at `targetSentAt` to `body`. */
export async function contactEdits(
  contact: DemoContact,
  toAci: string,
  targetSentAt: number,
  body: string,
): Promise<void> {
  const target = await contact.ensureSession(toAci);
  await contact.device.sendRaw(target, {
    content: {
      editMessage: {
        targetSentTimestamp: BigInt(targetSentAt),
        dataMessage: { ...EMPTY_DATA_MESSAGE, timestamp: BigInt(Date.now()), body },
      },
    },
    pniSignatureMessage: null,
    senderKeyDistributionMessage: null,
  });
}

/** The contact sets the chat's disappearing-messages timer (Signal's timer-update flag, versioned). */
export function contactSetsTimer(
  contact: DemoContact,
  toAci: string,
  seconds: number,
  version: number,
): Promise<number> {
  return contactSendsData(contact, toAci, { flags: 2, expireTimer: seconds, expireTimerVersion: version });
}

export interface DemoChat {
  ourAci: string;
  contacts: DemoContact[];
}

/**
 * A new profile registered on the demo network, in a chat with each named contact (we wrote first, so they
 * hold a session); the last one's chat is open.
 */
export async function chatWithContacts(
  app: AppHandle,
  demo: DemoNetwork,
  names: readonly string[],
): Promise<DemoChat> {
  const { page } = app;
  await page.setViewportSize({ width: 1280, height: 800 });
  const contacts = await Promise.all(names.map((name) => demo.createContact(name)));
  await createProfile(page, PASS);
  await register(page, `+1555${String(randomInt(1_000_000, 9_999_999))}`);
  await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible({ timeout: 20_000 });
  const account = await app.service().call('account.status', {});
  if (!account.ok || !account.value.aci) throw new Error('not registered');
  for (const contact of contacts) {
    await startChat(page, contact.aci, contact.name);
    await send(page, `hello ${contact.name}`);
    await contact.device.waitForMessage();
  }
  return { ourAci: account.value.aci, contacts };
}

/** The usual start of a message-feature spec: one contact, our chat with it open, and its timeline. */
export async function chatWithContact(
  app: AppHandle,
  demo: DemoNetwork,
  name: string,
): Promise<{ ourAci: string; contact: DemoContact; timeline: Locator }> {
  const {
    ourAci,
    contacts: [contact],
  } = await chatWithContacts(app, demo, [name]);
  if (!contact) throw new Error('no contact');
  return { ourAci, contact, timeline: timelineWith(app.page, name) };
}

/** When our message with this text was sent (Signal's id for it), read from the app's core. */
export async function ourSentAt(app: AppHandle, body: string): Promise<number> {
  const list = await app.service().call('conversations.list', {});
  if (!list.ok) throw new Error('no conversations');
  for (const conversation of list.value) {
    const page = await app.service().call('messages.page', { conversationId: conversation.id, limit: 200 });
    const found = page.ok
      ? page.value.messages.find((m) => m.direction === 'out' && m.body === body)
      : undefined;
    if (found) return found.sentAt;
  }
  throw new Error('no such message of ours');
}
