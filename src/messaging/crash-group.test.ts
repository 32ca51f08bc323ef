/**
 * Crash test on a group backlog (issue 15): two members' sealed sender-key messages to a group queued on the
 * real mock server while we are offline, received by child processes SIGKILLed at random points (a delivery
 * window of 4, so kills land inside batches too), then drained. Afterwards every message is in the group's
 * conversation exactly once, with its author, and the server holds nothing unacknowledged.
 */
import type { Group } from '@signalapp/mock-server';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { DemoContact } from '../demo/network.js';
import { groupConversationServiceId } from '../groups/group-store.js';
import { startGroupMember } from '../groups/test-support/member.js';
import {
  distributeSenderKey,
  groupOnServer,
  memberEnvelope,
} from '../groups/test-support/member-messages.js';
import { MessageStore } from './store.js';
import { receiveWithKills } from './test-support/crash-runs.js';
import { createHarness, type Harness } from './test-support/harness.js';

const KILLS = 12;
const PER_MEMBER = 60;

describe('crash safety of the receive pipeline on a group backlog', () => {
  let h: Harness | undefined;
  afterAll(async () => {
    await h?.close();
  });

  it(`SIGKILL at ${KILLS} random points while receiving ${2 * PER_MEMBER} group messages from 2 members: each stored once`, async () => {
    h = await createHarness({ deliveryWindow: 4 });
    const harness = h;
    const client = await startGroupMember(harness);
    const alice = await harness.contact('Alice');
    const bob = await harness.contact('Bob');
    await alice.ensureSession(harness.account.aci);
    const created = await alice.device.createGroup({ title: 'Backlog', members: [alice.device, bob.device] });
    let group: Group = await alice.device.inviteToGroup(created, harness.device);
    await vi.waitFor(() => expect(client.groups.get(group.id)?.membership).toBe('invited'), {
      timeout: 15_000,
    });
    await client.groups.acceptInvitation(group.id);
    group = await groupOnServer(harness, group);
    const members: Array<{ member: DemoContact; distributionId: string }> = [];
    for (const member of [alice, bob]) {
      members.push({ member, distributionId: await distributeSenderKey(harness, client, member) });
    }
    await client.stop();

    // Interleaved, unique timestamps per sender device (as real clients send).
    const server = harness.network.server;
    const base = Date.now() - 60_000;
    const acks: Array<Promise<unknown>> = [];
    for (let i = 0; i < 2 * PER_MEMBER; i += 1) {
      const { member, distributionId } = members[i % 2]!;
      const sent = { group, distributionId, timestamp: base + i };
      const envelope = await memberEnvelope(harness, member, sent, { body: `group backlog ${i}` });
      acks.push(server.send(harness.device, envelope));
    }
    while (server.pendingCount(harness.device) < 2 * PER_MEMBER) await new Promise((r) => setTimeout(r, 20));

    const killedAtPending = await receiveWithKills(harness, KILLS, Promise.all(acks));
    process.stdout.write(`group crash test: pending after each kill ${killedAtPending.join(',')}\n`);
    expect(Math.min(...killedAtPending)).toBeLessThan(2 * PER_MEMBER);
    expect(killedAtPending[KILLS - 1]).toBeGreaterThan(0);
    expect(server.pendingCount(harness.device)).toBe(0);

    const vault = await harness.reopenVault();
    const store = new MessageStore(vault.db);
    const conversation = store.findConversationByServiceId(groupConversationServiceId(group.id));
    expect(conversation).toBeDefined();
    const timeline = store.page(conversation!.id, { limit: 500 }).messages;
    const received = timeline.filter((m) => m.kind === 'message').map((m) => [m.body, m.sourceServiceId]);
    expect(received).toHaveLength(2 * PER_MEMBER);
    expect(new Set(received.map(([body]) => body)).size).toBe(2 * PER_MEMBER);
    for (let i = 0; i < 2 * PER_MEMBER; i += 1) {
      expect(received).toContainEqual([`group backlog ${i}`, members[i % 2]!.member.aci]);
    }
    expect(timeline.some((m) => m.eventType === 'decryption-failed')).toBe(false);
  }, 300_000);
});
