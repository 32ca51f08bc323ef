/**
 * Issue 15 on the demo network: a group member we never chatted with has a name — their profile key comes
 * with the group state, so their profile is fetched and decrypted as a contact's is — and knowing them
 * this way adds no chat to the list.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import { createTestCore, registerThroughService, type TestCore } from './test-support/core.js';
import { nextEvent, value } from './test-support/events.js';

const PASS = 'group member names passphrase 15';
const WAIT = { timeout: 15_000, interval: 100 };

describe('group members’ names (demo network)', () => {
  let network: DemoNetwork;
  let core: TestCore;
  let ourAci = '';

  beforeAll(async () => {
    network = await startDemoNetwork();
    core = createTestCore({ networkConfig: network.config });
    await value(core.service.call('vault.create', { passphrase: PASS }));
    ourAci = (await registerThroughService(core.service, '+15550001517')).aci!;
    await value(core.service.call('profile.set', { givenName: 'Sam' }));
  });
  afterAll(async () => {
    await core?.dispose();
    await network?.close();
  });

  it('a member known only from the group state is named from their profile, and is no chat', async () => {
    const alice = await network.createContact('Alice');
    const dave = await network.createContact('Dave Member');
    const us = await alice.ensureSession(ourAci);
    const group = await alice.device.createGroup({ title: 'Orchard', members: [alice.device, dave.device] });
    await alice.device.inviteToGroup(group, us);
    const invitation = await vi.waitFor(async () => {
      const found = (await value(core.service.call('conversations.list', {}))).find(
        (c) => c.title === 'Orchard',
      );
      expect(found?.group?.membership).toBe('invited');
      return found!;
    }, WAIT);

    await vi.waitFor(async () => {
      const shown = await value(core.service.call('groups.get', { conversationId: invitation.id }));
      const names = Object.fromEntries(shown.members.map((m) => [m.serviceId, m.name]));
      expect(names).toEqual({ [alice.aci]: 'Alice', [dave.aci]: 'Dave Member', [ourAci]: 'You' });
      expect(shown.invitedBy).toEqual({ serviceId: alice.aci, name: 'Alice' });
    }, WAIT);
    // Known as a member, not as a chat: the list holds only the group.
    const list = await value(core.service.call('conversations.list', {}));
    expect(list.map((c) => c.title)).toEqual(['Orchard']);
  });

  it('the workshop group: members named, the list says who wrote last, the reactor is named', async () => {
    await value(core.service.call('workshop.trigger', { scenario: 'group-invitation' }));
    const invitation = await vi.waitFor(async () => {
      const found = (await value(core.service.call('conversations.list', {}))).find(
        (c) => c.title === 'Workshop group',
      );
      expect(found).toBeDefined();
      return found!;
    }, WAIT);
    const bobWrites = nextEvent(
      core.service,
      'message.added',
      (p) => p.message.conversationId === invitation.id && p.message.body.startsWith('Hi!'),
    );
    await value(core.service.call('groups.acceptInvitation', { conversationId: invitation.id }));
    const fromBob = (await bobWrites).message;
    await vi.waitFor(async () => {
      const shown = await value(core.service.call('groups.get', { conversationId: invitation.id }));
      expect(shown.members.map((m) => m.name)).not.toContain('Unknown contact');
      const bob = shown.members.find((m) => m.serviceId === fromBob.author?.serviceId);
      const listed = (await value(core.service.call('conversations.list', {}))).find(
        (c) => c.id === invitation.id,
      );
      expect(listed?.group?.lastAuthor).toEqual({ name: bob?.name, isYou: false });
      const page = await value(core.service.call('messages.page', { conversationId: invitation.id }));
      const reactors = page.messages.flatMap((m) => m.reactions.flatMap((r) => r.reactors));
      expect(reactors.map((r) => r.person)).toEqual([{ serviceId: bob?.serviceId, name: bob?.name }]);
    }, WAIT);
  });
});
