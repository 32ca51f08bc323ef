/**
 * Issue 15 scope 5, through the API on the demo network: the trainer's groups demo with Echo. A group made
 * with Echo gets Echo's answers in the group, a 👍 on a text ending in "!", and the group's timer set when
 * someone writes "/timer 5m". (Echo accepting an invitation: src/demo/group-echo.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDemoNetwork, type DemoContact, type DemoNetwork } from '../demo/network.js';
import { createTestCore, registerThroughService, type TestCore } from './test-support/core.js';
import { nextEvent, value } from './test-support/events.js';

const PASS = 'echo group passphrase 15';
const WAIT = { timeout: 15_000, interval: 100 };

describe('Echo in a group made in Carapace (demo network)', () => {
  let network: DemoNetwork;
  let core: TestCore;
  let echo: DemoContact;
  let groupConversationId: string;

  /** A 1:1 chat with `contact`, where it has answered once (so we hold its profile key). */
  async function chatWith(contact: DemoContact): Promise<string> {
    const { id } = await value(
      core.service.call('conversations.start', { serviceId: contact.aci, name: contact.name }),
    );
    const reply = nextEvent(core.service, 'message.added', (p) => p.message.body === 'Echo: hello');
    await value(core.service.call('messages.send', { conversationId: id, body: 'hello' }));
    await reply;
    return id;
  }

  beforeAll(async () => {
    network = await startDemoNetwork();
    echo = await network.createContact('Echo', { echo: true });
    core = createTestCore({ networkConfig: network.config });
    await value(core.service.call('vault.create', { passphrase: PASS }));
    await registerThroughService(core.service, '+15550001516');
    await value(core.service.call('profile.set', { givenName: 'Trainer' }));
    const echoChat = await chatWith(echo);
    const group = await value(
      core.service.call('groups.create', { title: 'Echo club', memberConversationIds: [echoChat] }),
    );
    groupConversationId = group.conversationId;
  });
  afterAll(async () => {
    await core?.dispose();
    await network?.close();
  });

  it('Echo answers a group text in the group and reacts to one ending in "!"', async () => {
    const answer = nextEvent(
      core.service,
      'message.added',
      (p) => p.message.conversationId === groupConversationId && p.message.body === 'Echo: hi all!',
    );
    const ours = await value(
      core.service.call('messages.send', { conversationId: groupConversationId, body: 'hi all!' }),
    );
    expect((await answer).message.direction).toBe('in');
    await vi.waitFor(async () => {
      const page = await value(core.service.call('messages.page', { conversationId: groupConversationId }));
      const reacted = page.messages.find((m) => m.id === ours.id);
      expect(reacted?.reactions).toMatchObject([{ emoji: '👍', count: 1, includesYou: false }]);
    }, WAIT);
  });

  it('"/timer 5m" in the group: Echo sets the group’s disappearing timer', async () => {
    await value(
      core.service.call('messages.send', { conversationId: groupConversationId, body: '/timer 5m' }),
    );
    await vi.waitFor(async () => {
      const group = await value(core.service.call('groups.get', { conversationId: groupConversationId }));
      expect(group.timerSeconds).toBe(300);
    }, WAIT);
  });
});
