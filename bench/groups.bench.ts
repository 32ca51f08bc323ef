/**
 * Group send benchmark (issue 15; like Signal-Desktop's group send benchmark): the time from the messaging
 * client's send call to the server's acceptance (state "sent") of ONE text to an 8-member and to a
 * 100-member group, against one sealed 1:1 send in the same run. Each group is made by a simulated
 * contact that invites us; we accept. The demo server runs in its own process (TLS + WebSocket + gRPC
 * over our transport, as in production); its simulated members decrypt after it answered, and the bench
 * waits for that between two sends, so no send pays for another's decryptions.
 * Phases: our first send to a group (accepting the invitation announces the change) also distributes our
 * sender key to every member device (1:1 sealed sends, after fetching their prekeys); the steady state is
 * one multi-recipient sealed send. The group sender's own phase timings are reported beside.
 * ratio = median steady-state send to the 100-member group ÷ median 1:1 send (lower is better).
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { profileUploadBody } from '../src/account/own-profile.js';
import { startBenchAccount } from './demo-account.js';
import { quantile, round, timings } from './stats.js';
import type { BenchModule } from './types.js';

const SIZES = [8, 100] as const;
/** Measured sends per case, interleaved (1:1, 8, 100, 1:1, …) so drift in the load hits all alike. */
const REPETITIONS = 31;
const INVITATION_WAIT_MS = 60_000;

/** Milliseconds per phase of one group send, as the group sender measures them. */
type Phases = Record<string, number>;

const roundAll = (phases: Phases): Phases =>
  Object.fromEntries(Object.entries(phases).map(([phase, ms]) => [phase, round(ms)]));

const medianPhases = (runs: readonly Phases[]): Phases =>
  Object.fromEntries(
    Object.keys(runs[0] ?? {}).map((phase) => [
      phase,
      round(
        quantile(
          runs.map((r) => r[phase] ?? 0),
          0.5,
        ),
      ),
    ]),
  );

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + INVITATION_WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`groups bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const groupsBench: BenchModule = {
  name: 'groups',
  async run() {
    const bench = await startBenchAccount('groups', 128);
    const { server, vault, account } = bench;
    try {
      const client = await bench.startClient({ ownProfileKey: () => account.profileKey });
      // Our profile key's commitment on the server: accepting an invitation presents our credential.
      const upload = await client.accountRequest({
        verb: 'PUT',
        path: '/v1/profile',
        headers: { 'content-type': 'application/json' },
        body: profileUploadBody(account.aci, account.profileKey, {
          profile: null,
          phoneNumberSharing: 'nobody',
        }),
      });
      if (upload.status !== 200) throw new Error(`groups bench: profile upload ${upload.status}`);

      const drain = async () => {
        const drained = server.next('drained');
        server.send({ type: 'drain' });
        return drained;
      };
      const timedSend = async (conversationId: string, text: string): Promise<number> => {
        const start = performance.now();
        const message = await client.sendText(conversationId, text);
        const ms = performance.now() - start;
        if (message.status !== 'sent' && message.status !== 'delivered') {
          throw new Error(`groups bench: status ${message.status}`);
        }
        await drain();
        return ms;
      };

      const setupStart = performance.now();
      // The phases of the group sender's latest send (state, sessions, distribution, token, encrypt, …).
      const lastPhases = (): Phases => ({
        ...(client.groupSend.send as unknown as { phases?: Phases }).phases,
      });
      const groups: Array<{
        size: number;
        conversationId: string;
        acceptMs: number;
        acceptPhases: Phases;
        firstMs: number;
        firstPhases: Phases;
        steady: number[];
        steadyPhases: Phases[];
      }> = [];
      let directConversationId: string | undefined;
      for (const size of SIZES) {
        const reply = server.next('group');
        server.send({ type: 'group', to: account.aci, size });
        const { groupId, ownerAci } = (await reply) as { groupId: string; ownerAci: string };
        await until(() => client.groups.get(groupId)?.membership === 'invited', 'the invitation');
        // Accepting is our first send to the group: the signed change, announced to every member — with our
        // sender key distributed to each member device first (prekey fetches, 1:1 sealed sends).
        const acceptStart = performance.now();
        const { conversationId } = await client.groups.acceptInvitation(groupId);
        const acceptMs = performance.now() - acceptStart;
        const acceptPhases = lastPhases();
        if (!conversationId) throw new Error('groups bench: no group conversation');
        // The 1:1 partner: the first group's creator (its decryptions deferred like the members').
        directConversationId ??= await (async () => {
          await until(() => client.store.findConversationByServiceId(ownerAci) !== undefined, 'the owner');
          return client.store.findConversationByServiceId(ownerAci)!.id;
        })();
        await drain();
        const firstMs = await timedSend(conversationId, 'first');
        groups.push({
          size,
          conversationId,
          acceptMs,
          acceptPhases,
          firstMs,
          firstPhases: lastPhases(),
          steady: [],
          steadyPhases: [],
        });
      }
      if (!directConversationId) throw new Error('groups bench: no 1:1 conversation');
      const setupMs = performance.now() - setupStart;

      // Warm-up 1:1: prekeys and our sender certificate.
      await timedSend(directConversationId, 'warm-up');
      const loadBefore = loadavg()[0] ?? 0;
      const direct: number[] = [];
      for (let i = 0; i < REPETITIONS; i += 1) {
        direct.push(await timedSend(directConversationId, `direct ${i}`));
        for (const group of groups) {
          group.steady.push(await timedSend(group.conversationId, `group ${i}`));
          group.steadyPhases.push(lastPhases());
        }
      }
      const loadAfter = loadavg()[0] ?? 0;
      const phones = await drain();
      await client.stop();
      vault.lock('shutdown');

      const directMedian = quantile(direct, 0.5);
      const bySize = Object.fromEntries(
        groups.map((g) => [
          `members${g.size}`,
          {
            members: g.size,
            acceptMs: round(g.acceptMs),
            acceptAnnouncePhasesMs: roundAll(g.acceptPhases),
            firstSendMs: round(g.firstMs),
            firstSendRatioToDirect: round(g.firstMs / directMedian),
            firstSendPhasesMs: roundAll(g.firstPhases),
            steady: timings(g.steady),
            steadyMedianPhasesMs: medianPhases(g.steadyPhases),
            ratioToDirect: round(quantile(g.steady, 0.5) / directMedian),
          },
        ]),
      );
      const largest = groups.at(-1);
      if (!largest) throw new Error('groups bench: no groups');
      return {
        ratio: round(quantile(largest.steady, 0.5) / directMedian),
        ratioMeaning:
          'median time from the send call to state "sent" for one text to a 100-member group (steady state: one multi-recipient sealed send) ÷ the median sealed 1:1 send in the same run, over the demo server in its own process; lower is better',
        target: '< 10 (issue 15: the multi-recipient design keeps a 100-member send under 10× a 1:1 send)',
        details: {
          direct: timings(direct),
          ...bySize,
          memberDecryptions: phones,
          setupMs: round(setupMs, 0),
          loadAverage: { before: round(loadBefore), after: round(loadAfter) },
          notes:
            'The client is the app’s MessagingClient. Each group: a simulated contact creates it with simulated phones and invites us; we accept (zkgroup presentation). accept = the group service change + its announcement, our first send to the group: sender-key distribution to every member device (prekey fetches, 1:1 sealed sends; its phases in acceptAnnouncePhasesMs) + the multi-recipient send; firstSend = the first text after that; steady = one SendMultiRecipientMessage over gRPC with a group send token. Sends interleave 1:1 / 8 / 100; after each, the bench waits until the simulated members have decrypted (memberDecryptions counts them: failed must be 0).',
        },
      };
    } finally {
      await bench.close();
    }
  },
};
