/**
 * Issue 15 scope 5: the demo network's Echo contact in groups. A phone of the mock's own (not one of the
 * network's contacts) stands in for the Carapace user: it creates a group, invites Echo, and writes in the
 * group with a sender key; Echo accepts, answers in the group with its own sender key, reacts, and changes
 * the disappearing timer when asked.
 */
import { ClientZkGroupCipher } from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import { Proto, type Group, type PrimaryDevice } from '@signalapp/mock-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { timerCommand } from './group-echo.js';
import { ensureSession, GroupPhone, secretParamsOf } from './group-phone.js';
import { startDemoNetwork, type DemoContact, type DemoNetwork } from './network.js';

const WAIT = { timeout: 10_000, interval: 50 };
type Received = Awaited<ReturnType<PrimaryDevice['waitForMessage']>>;

describe('Echo in groups on the demo network', () => {
  let network: DemoNetwork;
  let echo: DemoContact;
  let user: PrimaryDevice;
  let userGroups: GroupPhone;
  let group: Group;
  const received: Received[] = [];

  /** The first message the user's phone received (or receives) that matches. */
  async function receivedBy(match: (m: Received) => boolean): Promise<Received> {
    for (;;) {
      const found = received.find(match);
      if (found) return found;
      received.push(await user.waitForMessage());
    }
  }

  beforeAll(async () => {
    network = await startDemoNetwork();
    echo = await network.createContact('Echo', { echo: true });
    user = await network.server.createPrimaryDevice({ profileName: 'Trainer' });
    userGroups = new GroupPhone(user, network.server);
    const created = await user.createGroup({ title: 'Demo group', members: [user] });
    await ensureSession(user, network.server, echo.aci);
    group = await user.inviteToGroup(created, echo.device.device);
  });
  afterAll(async () => {
    await network?.close();
  });

  it('accepts an invitation and tells the group (a signed change, through its sender key)', async () => {
    await vi.waitFor(async () => {
      const now = await userGroups.group(group.masterKey);
      expect(now && userGroups.members(now)).toContain(echo.aci);
    }, WAIT);
    const update = await receivedBy((m) => m.source.aci === echo.aci && m.dataMessage.groupV2 !== null);
    expect(Buffer.from(update.dataMessage.groupV2?.masterKey ?? []).equals(group.masterKey)).toBe(true);
    expect(update.dataMessage.groupV2?.groupChange?.length).toBeGreaterThan(0);
    expect(update.dataMessage.groupV2?.revision).toBe(2);
    group = (await userGroups.group(group.masterKey))!;
  });

  it('answers a group text in the group and reacts to one that ends with "!"', async () => {
    const sentAt = await userGroups.send(group, { body: 'hello group!' });
    const answer = await receivedBy((m) => m.body === 'Echo: hello group!');
    expect(answer.source.aci).toBe(echo.aci);
    expect(Buffer.from(answer.dataMessage.groupV2?.masterKey ?? []).equals(group.masterKey)).toBe(true);
    const reaction = await receivedBy((m) => m.dataMessage.reaction !== null);
    expect(reaction.dataMessage.reaction).toMatchObject({
      emoji: '👍',
      targetAuthorAci: user.device.aci,
      targetSentTimestamp: BigInt(sentAt),
    });
    expect(Buffer.from(reaction.dataMessage.groupV2?.masterKey ?? []).equals(group.masterKey)).toBe(true);
  });

  it('sets the group’s disappearing timer when asked, instead of answering', async () => {
    await userGroups.send(group, { body: '/timer 5m' });
    const update = await receivedBy(
      (m) => m.source.aci === echo.aci && (m.dataMessage.groupV2?.revision ?? 0) > group.revision,
    );
    expect(update.dataMessage.groupV2?.groupChange?.length).toBeGreaterThan(0);
    const secretParams = secretParamsOf(group);
    const onServer = await network.server.getGroup(secretParams.getPublicParams().serialize());
    const cipher = new ClientZkGroupCipher(secretParams);
    const timer = cipher.decryptBlob(onServer!.state.disappearingMessagesTimer ?? new Uint8Array());
    expect(Proto.GroupAttributeBlob.decode(timer).content).toEqual({ disappearingMessagesDuration: 300 });
    expect(received.map((m) => m.body)).not.toContain('Echo: /timer 5m');
  });

  it('reads "/timer" commands strictly', () => {
    expect(timerCommand('/timer 30s')).toBe(30);
    expect(timerCommand(' /TIMER 1h ')).toBe(3_600);
    expect(timerCommand('/timer 2d')).toBe(172_800);
    expect(timerCommand('/timer off')).toBeNull();
    for (const text of [
      '/timer',
      '/timer 5',
      '/timer 0m',
      '/timer 5 weeks',
      'set /timer 5m',
      '/timer 9999d',
    ]) {
      expect(timerCommand(text)).toBeUndefined();
    }
  });
});
