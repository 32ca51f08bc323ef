/**
 * Issue 15, through the API on the demo network: `messages.recipients` lists each member of a group with
 * their state of our message — sent when the server accepted it for them, then what their receipts say.
 */
import { ReceiptType } from '@signalapp/mock-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDemoNetwork, type DemoContact, type DemoNetwork } from '../demo/network.js';
import { createTestCore, registerThroughService, type TestCore } from './test-support/core.js';
import { value } from './test-support/events.js';

const PASS = 'group recipients passphrase 15';
const WAIT = { timeout: 15_000, interval: 100 };

describe('messages.recipients (demo network)', () => {
  let network: DemoNetwork;
  let core: TestCore;
  let alice: DemoContact;
  let bob: DemoContact;
  let ourAci = '';

  beforeAll(async () => {
    network = await startDemoNetwork();
    core = createTestCore({ networkConfig: network.config });
    await value(core.service.call('vault.create', { passphrase: PASS }));
    ourAci = (await registerThroughService(core.service, '+15550001515')).aci!;
    // Our profile (and so our profile key's commitment) on the server: joining a group presents it.
    await value(core.service.call('profile.set', { givenName: 'Sam' }));
    alice = await network.createContact('Alice');
    bob = await network.createContact('Bob');
    await value(core.service.call('conversations.start', { serviceId: alice.aci, name: 'Alice' }));
  });
  afterAll(async () => {
    await core?.dispose();
    await network?.close();
  });

  it('lists each member with their state of our group message', async () => {
    const us = await alice.ensureSession(ourAci);
    const created = await alice.device.createGroup({
      title: 'Gardeners',
      members: [alice.device, bob.device],
    });
    await alice.device.inviteToGroup(created, us);
    const invited = await vi.waitFor(async () => {
      const list = await value(core.service.call('conversations.list', {}));
      const found = list.find((c) => c.title === 'Gardeners');
      expect(found).toBeDefined();
      return found!;
    }, WAIT);
    await value(core.service.call('groups.acceptInvitation', { conversationId: invited.id }));

    const sent = await value(
      core.service.call('messages.send', { conversationId: invited.id, body: 'seedlings on Sunday' }),
    );
    expect(sent.status).toBe('sent');
    for (const member of [alice, bob]) {
      for (;;) if ((await member.device.waitForMessage()).body === 'seedlings on Sunday') break;
    }
    const first = await value(core.service.call('messages.recipients', { messageId: sent.id }));
    expect(first.map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(first.map((r) => r.serviceId).sort()).toEqual([alice.aci, bob.aci].sort());
    expect(first.find((r) => r.serviceId === alice.aci)?.name).toBe('Alice');

    await alice.device.sendReceipt(us, { type: ReceiptType.Read, messageTimestamps: [sent.sentAt] });
    await vi.waitFor(async () => {
      const rows = await value(core.service.call('messages.recipients', { messageId: sent.id }));
      expect(Object.fromEntries(rows.map((r) => [r.serviceId, r.status]))).toEqual({
        [alice.aci]: 'read',
        [bob.aci]: 'sent',
      });
    }, WAIT);

    const missing = await core.service.call('messages.recipients', { messageId: 'no-such-message' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
