/**
 * MemberProfiles' bound: a large group's members are fetched at most 4 at a time, each once per key (the
 * server side is a stand-in that answers "not found" after a delay; the naming itself is tested on the demo
 * network in src/api/group-member-names.network.test.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AccountKv } from '../account/account-kv.js';
import type { ChatRequester } from '../messaging/delivery.js';
import { createTestVault, type TestVault } from '../test-support/vault.js';
import { MemberProfiles } from './member-profiles.js';

describe('member profiles', () => {
  let tv: TestVault;
  beforeEach(async () => {
    tv = await createTestVault();
  });
  afterEach(() => tv.dispose());

  it('fetches at most 4 at a time, each member once per key; our own entry never', async () => {
    let running = 0;
    let most = 0;
    const asked: string[] = [];
    const request: ChatRequester = async (req) => {
      asked.push(req.path);
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return { status: 404, headers: [] };
    };
    const profiles = new MemberProfiles(new AccountKv(tv.db));
    profiles.attach({ request, exclusive: (write) => Promise.resolve(write()), clock: () => 1_000 });
    const us = randomUUID();
    const members = [us, ...Array.from({ length: 20 }, () => randomUUID())].map((aci) => ({
      aci,
      role: 'member' as const,
      profileKey: randomBytes(32).toString('base64'),
      joinedAtRevision: 0,
    }));
    profiles.learn(members, us);
    profiles.learn(members, us);
    await vi.waitFor(() => expect(asked).toHaveLength(20));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(asked).toHaveLength(20);
    expect(most).toBe(4);
    expect(asked.some((path) => path.includes(us))).toBe(false);
    expect(profiles.nameOf(members[1]!.aci)).toBeUndefined();
  });
});
