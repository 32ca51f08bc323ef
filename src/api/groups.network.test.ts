/**
 * Issue 15, through the API on the demo network: every `groups.*` command, a group conversation's
 * `group` summary, `groupChange` timeline events with names, the timer through the ordinary
 * `conversation.setDisappearingTimer`, and the typed errors (NOT_FOUND, PRECONDITION, INVALID_INPUT).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDemoNetwork, type DemoContact, type DemoNetwork } from '../demo/network.js';
import type { Conversation } from './contract.js';
import { createTestCore, registerThroughService, type TestCore } from './test-support/core.js';
import { value } from './test-support/events.js';

const PASS = 'group management passphrase 15';
const WAIT = { timeout: 15_000, interval: 100 };

describe('groups.* (demo network)', () => {
  let network: DemoNetwork;
  let core: TestCore;
  let alice: DemoContact;
  let bob: DemoContact;
  let carol: DemoContact;
  let ourAci = '';
  const chats: Record<string, string> = {};

  beforeAll(async () => {
    network = await startDemoNetwork();
    core = createTestCore({ networkConfig: network.config });
    await value(core.service.call('vault.create', { passphrase: PASS }));
    ourAci = (await registerThroughService(core.service, '+15550001516')).aci!;
    // Our profile key's commitment on the server: creating or joining a group presents it.
    await value(core.service.call('profile.set', { givenName: 'Sam' }));
    alice = await network.createContact('Alice');
    bob = await network.createContact('Bob');
    carol = await network.createContact('Carol');
    for (const contact of [alice, bob, carol]) {
      const chat = await value(
        core.service.call('conversations.start', { serviceId: contact.aci, name: contact.name }),
      );
      chats[contact.name] = chat.id;
    }
    // Alice writes with her profile key: she can be added directly; Bob and Carol are invited.
    const us = await alice.ensureSession(ourAci);
    await alice.device.sendText(us, 'hi', { withProfileKey: true });
    await vi.waitFor(async () => {
      const open = await value(core.service.call('conversation.open', { conversationId: chats['Alice']! }));
      expect(open.page.messages.map((m) => m.body)).toContain('hi');
    }, WAIT);
  });
  afterAll(async () => {
    await core?.dispose();
    await network?.close();
  });

  const listed = async (conversationId: string): Promise<Conversation | undefined> =>
    (await value(core.service.call('conversations.list', {}))).find((c) => c.id === conversationId);

  it('create, get, rename, invite, timer, leave — with the timeline and the typed errors', async () => {
    const group = await value(
      core.service.call('groups.create', {
        title: 'Gardeners',
        memberConversationIds: [chats['Alice']!, chats['Bob']!],
        timerSeconds: 3600,
      }),
    );
    expect(group).toMatchObject({
      title: 'Gardeners',
      description: null,
      membership: 'member',
      revision: 0,
      timerSeconds: 3600,
      canEditAttributes: true,
      canAddMembers: true,
      invitedBy: null,
    });
    expect(group.members).toEqual([
      {
        serviceId: ourAci,
        name: 'You',
        role: 'administrator',
        state: 'member',
        isUs: true,
        conversationId: null,
        identityChanged: false,
      },
      {
        serviceId: alice.aci,
        name: 'Alice',
        role: 'member',
        state: 'member',
        isUs: false,
        conversationId: chats['Alice'],
        identityChanged: false,
      },
      {
        serviceId: bob.aci,
        name: 'Bob',
        role: 'member',
        state: 'invited',
        isUs: false,
        conversationId: chats['Bob'],
        identityChanged: false,
      },
    ]);
    const { conversationId } = group;
    expect(await listed(conversationId)).toMatchObject({
      title: 'Gardeners',
      expireTimerSeconds: 3600,
      group: { memberCount: 2, membership: 'member' },
    });
    expect((await listed(chats['Alice']!))?.group).toBeNull();
    const opened = await value(core.service.call('conversation.open', { conversationId }));
    expect(opened.page.messages.map((m) => [m.kind, m.groupChange])).toEqual([
      [
        'group-change',
        {
          actor: { serviceId: ourAci, name: 'You' },
          changes: [
            { kind: 'created', text: 'Gardeners' },
            { kind: 'added', subject: { serviceId: alice.aci, name: 'Alice' } },
            { kind: 'invited', subject: { serviceId: bob.aci, name: 'Bob' } },
          ],
        },
      ],
    ]);
    expect(await value(core.service.call('groups.get', { conversationId }))).toEqual(group);

    for (const title of ['   ', 'x'.repeat(33)]) {
      const refused = await core.service.call('groups.setTitle', { conversationId, title });
      expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
    const renamed = await value(
      core.service.call('groups.setTitle', { conversationId, title: 'Garden club' }),
    );
    expect(renamed).toMatchObject({ title: 'Garden club', revision: 1 });

    const invited = await value(
      core.service.call('groups.invite', { conversationId, memberConversationIds: [chats['Carol']!] }),
    );
    expect(invited.members.filter((m) => m.state === 'invited').map((m) => m.name)).toEqual(['Bob', 'Carol']);

    // The ordinary timer command changes the group's timer for every member.
    const timed = await value(
      core.service.call('conversation.setDisappearingTimer', { conversationId, seconds: 300 }),
    );
    expect(timed.expireTimerSeconds).toBe(300);
    expect((await value(core.service.call('groups.get', { conversationId }))).timerSeconds).toBe(300);

    const left = await value(core.service.call('groups.leave', { conversationId }));
    expect(left).toMatchObject({ membership: 'left', canEditAttributes: false, canAddMembers: false });
    expect((await listed(conversationId))?.group).toEqual({ memberCount: 1, membership: 'left' });
    const newest = await value(core.service.call('conversation.open', { conversationId, limit: 1 }));
    expect(newest.page.messages[0]?.groupChange).toEqual({
      actor: { serviceId: ourAci, name: 'You' },
      changes: [{ kind: 'left', subject: { serviceId: ourAci, name: 'You' } }],
    });
    const afterLeaving = await core.service.call('groups.setTitle', { conversationId, title: 'Back' });
    expect(afterLeaving).toMatchObject({ ok: false, error: { code: 'PRECONDITION' } });

    for (const unknown of ['no-such-conversation', chats['Alice']!]) {
      const missing = await core.service.call('groups.get', { conversationId: unknown });
      expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
  });

  it('an invitation: shown with its inviter, accepted; another declined and gone', async () => {
    const us = await alice.ensureSession(ourAci);
    const invitationTo = async (title: string) => {
      const created = await alice.device.createGroup({ title, members: [alice.device] });
      await alice.device.inviteToGroup(created, us);
      return vi.waitFor(async () => {
        const found = (await value(core.service.call('conversations.list', {}))).find(
          (c) => c.title === title,
        );
        expect(found?.group?.membership).toBe('invited');
        return found!;
      }, WAIT);
    };

    const first = await invitationTo('Allotment');
    expect(first.isRequest).toBe(true);
    const shown = await value(core.service.call('groups.get', { conversationId: first.id }));
    expect(shown).toMatchObject({
      membership: 'invited',
      invitedBy: { serviceId: alice.aci, name: 'Alice' },
    });
    const accepted = await value(core.service.call('groups.acceptInvitation', { conversationId: first.id }));
    expect(accepted.membership).toBe('member');
    expect(await listed(first.id)).toMatchObject({ isRequest: false, group: { membership: 'member' } });

    const second = await invitationTo('Compost');
    const declined = await value(
      core.service.call('groups.declineInvitation', { conversationId: second.id }),
    );
    expect(declined).toEqual({ ok: true });
    expect(await listed(second.id)).toBeUndefined();
  });
});
