/**
 * Issue 15 scope 5: the workshop's `group-invitation` scenario on the demo network — two new simulated
 * contacts (Alice, Bob) create a group and invite this profile; it arrives as a request, and once accepted
 * Alice and Bob write in the group and Bob reacts to Alice, each message under its author. A second run
 * brings new people and a new group.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import { createTestCore, registerThroughService, type TestCore } from './test-support/core.js';
import { nextEvent, value } from './test-support/events.js';

const PASS = 'workshop group scenario passphrase 15';
const WAIT = { timeout: 15_000, interval: 100 };

describe('workshop scenario: a group invitation from simulated contacts', () => {
  let network: DemoNetwork;
  let core: TestCore;

  beforeAll(async () => {
    network = await startDemoNetwork();
    await network.createContact('Echo', { echo: true });
    core = createTestCore({ networkConfig: network.config });
    await value(core.service.call('vault.create', { passphrase: PASS }));
    await registerThroughService(core.service, '+15550001515');
    // Our profile key's commitment on the server: accepting an invitation presents our credential for it.
    await value(core.service.call('profile.set', { givenName: 'Trainer' }));
  });

  afterAll(async () => {
    await core?.dispose();
    await network?.close();
  });

  /** The group conversation titled `title`, once it is listed. */
  async function groupNamed(title: string) {
    let found: Awaited<ReturnType<typeof listed>>[number] | undefined;
    const listed = () => value(core.service.call('conversations.list', {}));
    await vi.waitFor(async () => {
      found = (await listed()).find((c) => c.group !== null && c.title === title);
      expect(found).toBeDefined();
    }, WAIT);
    return found!;
  }

  it('arrives as a request; accepted, Alice and Bob write and Bob reacts', async () => {
    expect(await value(core.service.call('workshop.trigger', { scenario: 'group-invitation' }))).toEqual({
      contact: 'Alice',
    });
    const invitation = await groupNamed('Workshop group');
    expect(invitation).toMatchObject({ isRequest: true, group: { membership: 'invited' } });
    // Nothing anyone wrote is shown before accepting (group change events may be).
    const before = await value(core.service.call('messages.page', { conversationId: invitation.id }));
    expect(before.messages.filter((m) => m.kind === 'text')).toEqual([]);

    const welcome = nextEvent(
      core.service,
      'message.added',
      (p) => p.message.conversationId === invitation.id && p.message.body.startsWith('Welcome'),
    );
    const bobWrites = nextEvent(
      core.service,
      'message.added',
      (p) => p.message.conversationId === invitation.id && p.message.body.startsWith('Hi!'),
    );
    const accepted = await value(
      core.service.call('groups.acceptInvitation', { conversationId: invitation.id }),
    );
    expect(accepted.membership).toBe('member');
    expect(accepted.members.filter((m) => m.state === 'member')).toHaveLength(3);

    const fromAlice = (await welcome).message;
    // Each under its own author (named once their profiles are fetched with the group's profile keys).
    const fromBob = (await bobWrites).message;
    expect(fromAlice.author?.serviceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fromBob.author?.serviceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fromBob.author?.serviceId).not.toBe(fromAlice.author?.serviceId);
    await vi.waitFor(async () => {
      const page = await value(core.service.call('messages.page', { conversationId: invitation.id }));
      const reacted = page.messages.find((m) => m.id === fromAlice.id);
      expect(reacted?.reactions).toMatchObject([{ emoji: '❤️', count: 1, includesYou: false }]);
    }, WAIT);
  });

  it('a second run brings new people and a new group', async () => {
    expect(await value(core.service.call('workshop.trigger', { scenario: 'group-invitation' }))).toEqual({
      contact: 'Alice 2',
    });
    expect(await groupNamed('Workshop group 2')).toMatchObject({ isRequest: true });
  });
});
