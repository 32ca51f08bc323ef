/**
 * Bench-only (bench/groups.bench.ts, through the demo server child): groups of simulated phones that invite
 * the benchmarked account. The stock mock makes a sender's request wait until every simulated recipient
 * has decrypted its copy — a real server stores and answers. Here the member phones decrypt after the
 * server answered, one envelope after another per phone (a sender key must be processed before its
 * messages), and `drain()` waits for that work between two measured sends and counts its failures.
 */
import type { PrimaryDevice } from '@signalapp/mock-server';
import type { DemoNetwork } from '../network.js';

type HandleEnvelope = PrimaryDevice['handleEnvelope'];

export class BenchGroups {
  #decrypted = 0;
  #failed = 0;
  /** Per phone: the tail of its decryptions, in arrival order. */
  readonly #queues = new Map<PrimaryDevice, Promise<void>>();

  constructor(private readonly network: DemoNetwork) {}

  /**
   * A group of `size` members: a creator, `size - 2` other simulated phones, and `toAci`, invited by the
   * creator (the invitation reaches it as a group update). The creator also writes to `toAci` directly
   * (with its profile key, so `toAci` can answer it sealed: the bench's 1:1 send). Answers the group's id
   * and the creator's ACI.
   */
  async create(toAci: string, size: number): Promise<{ groupId: string; ownerAci: string }> {
    const owner = await this.network.createContact(`Group owner ${size}`);
    const phones: PrimaryDevice[] = [owner.device];
    for (let i = 1; i <= size - 2; i += 1) {
      phones.push(await this.network.server.createPrimaryDevice({ profileName: `Member ${i}` }));
    }
    for (const phone of phones) this.#decryptLater(phone);
    const created = await owner.device.createGroup({ title: `Bench group of ${size}`, members: phones });
    const target = await owner.ensureSession(toAci);
    const group = await owner.device.inviteToGroup(created, target);
    await owner.device.sendText(target, 'hello from the group owner', { withProfileKey: true });
    return { groupId: group.id, ownerAci: owner.aci };
  }

  /** Waits until every phone has handled what it received; how many envelopes decrypted or failed so far. */
  async drain(): Promise<{ decrypted: number; failed: number }> {
    let tails: Promise<void>[];
    do {
      tails = [...this.#queues.values()];
      await Promise.all(tails);
    } while (tails.some((tail, i) => tail !== [...this.#queues.values()][i]));
    return { decrypted: this.#decrypted, failed: this.#failed };
  }

  #decryptLater(phone: PrimaryDevice): void {
    const handle: HandleEnvelope = phone.handleEnvelope.bind(phone);
    this.#queues.set(phone, Promise.resolve());
    phone.handleEnvelope = (...args: Parameters<HandleEnvelope>) => {
      // Not before the server's answer is out: a `then` alone would start decrypting in this very
      // microtask checkpoint, inside the sender's request (setImmediate runs after the pending writes).
      const tail = (this.#queues.get(phone) ?? Promise.resolve())
        .then(() => new Promise((resolve) => setImmediate(resolve)))
        .then(() => handle(...args))
        .then(
          () => void (this.#decrypted += 1),
          () => void (this.#failed += 1),
        );
      this.#queues.set(phone, tail);
      return Promise.resolve();
    };
  }
}
