/**
 * Bench-only (bench/groups.bench.ts, through the demo server child): groups of simulated phones that invite
 * the benchmarked account. The stock mock makes a sender's request wait until every simulated recipient
 * has decrypted its copy — a real server stores and answers. Here the member phones (other people's
 * devices) decrypt only when `drain()` lets them, between two measured sends, one envelope after another per
 * phone (a sender key must be processed before its messages); `drain()` waits for that work and counts its
 * failures. (Deferring by setImmediate was not enough: the sender's request still waited behind the
 * hundred decryptions — its answer left the server 45–80 ms after the mock wrote it, at load ≈ 7.)
 */
import type { PrimaryDevice } from '@signalapp/mock-server';
import type { DemoNetwork } from '../network.js';

type HandleEnvelope = PrimaryDevice['handleEnvelope'];

export class BenchGroups {
  #decrypted = 0;
  #failed = 0;
  /** Per phone: the tail of its decryptions, in arrival order. */
  readonly #queues = new Map<PrimaryDevice, Promise<void>>();
  /** Open only while `drain()` runs. */
  #open: () => void = () => undefined;
  #gate = this.#closedGate();

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
    this.#open();
    let tails: Promise<void>[];
    do {
      tails = [...this.#queues.values()];
      await Promise.all(tails);
    } while (tails.some((tail, i) => tail !== [...this.#queues.values()][i]));
    this.#gate = this.#closedGate();
    return { decrypted: this.#decrypted, failed: this.#failed };
  }

  #closedGate(): Promise<void> {
    return new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  #decryptLater(phone: PrimaryDevice): void {
    const handle: HandleEnvelope = phone.handleEnvelope.bind(phone);
    this.#queues.set(phone, Promise.resolve());
    phone.handleEnvelope = (...args: Parameters<HandleEnvelope>) => {
      // Not inside the sender's request: once `drain()` opens the gate (read at this envelope's turn).
      const tail = (this.#queues.get(phone) ?? Promise.resolve())
        .then(() => this.#gate)
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
