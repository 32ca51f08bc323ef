/**
 * The reads a group send makes for all its members at once: sessions, device ids and identities, each in
 * one query (a 100-member send read them one query per member).
 */
import { ProtocolAddress } from '@signalapp/libsignal-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProtocolError } from '../../errors.js';
import { createTestDir, type TestDir } from '../../test-support/files.js';
import { createTestPki } from '../test-support/certificates.js';
import { createParty, type Party } from '../test-support/party.js';

let dir: TestDir;
let alice: Party;
let members: Party[];

beforeEach(async () => {
  dir = createTestDir();
  const pki = createTestPki();
  alice = createParty(dir.path, 'alice', [pki.trustRoot], 1);
  members = ['bob', 'carol', 'dave'].map((name) => createParty(dir.path, name, [pki.trustRoot], 1));
  for (const member of members) await alice.cipher.processPreKeyBundle(member.aci, member.nextBundle());
});

afterEach(() => {
  for (const party of [alice, ...members]) party.close();
  dir.dispose();
});

/** How many statements `work` runs on alice's database. */
async function queriesDuring(work: () => Promise<unknown>): Promise<number> {
  const statement = Object.getPrototypeOf(alice.db.prepare('SELECT 1')) as Record<string, unknown>;
  const spies = (['get', 'all', 'iterate'] as const).map((method) =>
    vi.spyOn(statement as Record<typeof method, () => unknown>, method),
  );
  try {
    await work();
    return spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

const never = (): never => {
  throw new Error('no stored identity');
};

describe('group send reads', () => {
  it("reads every recipient's session in one query, in the order asked", async () => {
    const sessions = alice.stores.aci.sessions;
    const addresses = [...members].reverse().map((m) => ProtocolAddress.new(m.aci, 1));
    let records: Awaited<ReturnType<typeof sessions.getExistingSessions>> = [];
    const queries = await queriesDuring(async () => {
      records = await sessions.getExistingSessions(addresses);
    });
    expect(queries).toBe(1);
    for (const [i, address] of addresses.entries()) {
      const single = await sessions.getSession(address);
      expect(Buffer.from(records[i]?.serialize() ?? []).equals(Buffer.from(single?.serialize() ?? []))).toBe(
        true,
      );
    }
    const unknown = ProtocolAddress.new('00000000-0000-4000-8000-0000000000ee', 1);
    await expect(sessions.getExistingSessions([...addresses, unknown])).rejects.toBeInstanceOf(ProtocolError);
  });

  it("reads members' device ids and identity keys in one query each", async () => {
    const acis = [...members.map((m) => m.aci), '00000000-0000-4000-8000-0000000000ee'];
    const { identity, sessions } = alice.stores.aci;
    expect(sessions.deviceIdsOf(acis)).toEqual(new Map(acis.map((aci, i) => [aci, i < 3 ? [1] : []])));
    const keys = identity.remotePublicKeys(acis);
    expect([...keys.keys()].sort()).toEqual(members.map((m) => m.aci).sort());
    const view = identity.withIdentitiesOf(acis);
    const answered: unknown[] = [];
    const queries = await queriesDuring(async () => {
      for (const member of members) answered.push(await view.getIdentity(ProtocolAddress.new(member.aci, 1)));
    });
    expect(queries).toBe(0);
    expect(answered).toEqual(members.map((m) => keys.get(m.aci)));
    for (const member of members) {
      expect(keys.get(member.aci)?.equals(identity.getRemoteIdentity(member.aci)?.publicKey ?? never())).toBe(
        true,
      );
    }
  });
});
