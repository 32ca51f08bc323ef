/**
 * Redelivery until acknowledged (point 2 of demo-server.ts): per registered device, the messages not yet
 * answered with 200, sent in order on the device's current chat socket with at most `window` awaiting an
 * answer. A message leaves its queue only when acknowledged; a failed send drops the socket so the next
 * connection gets the message again.
 */
import type { Device } from '@signalapp/mock-server';
import { errorFields, log } from '../../log.js';
import type { MockConnection } from './chat-socket-hook.js';

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface Pending {
  readonly message: Buffer;
  readonly done: Deferred;
  /** The socket this message was last sent on and is awaiting an answer from. */
  inflightOn?: MockConnection | undefined;
}

export class DeliveryQueues {
  /** Our own per-device queues of messages not yet acknowledged with 200. */
  readonly #queues = new Map<Device, Pending[]>();
  readonly #sockets = new Map<Device, MockConnection>();
  readonly #announceEmpty = new Set<Device>();
  readonly #window: number;

  constructor(window: number) {
    this.#window = window;
  }

  /** Queues `message` for `device`; resolves once the device acknowledged it with 200. */
  enqueue(device: Device, message: Buffer): Promise<void> {
    const done = deferred();
    let queue = this.#queues.get(device);
    if (!queue) {
      queue = [];
      this.#queues.set(device, queue);
    }
    queue.push({ message, done });
    this.#drain(device);
    return done.promise;
  }

  /** The device's new chat socket (an older one is closed); its queue is sent again from the start. */
  attach(device: Device, connection: MockConnection): void {
    const existing = this.#sockets.get(device);
    if (existing && existing !== connection) existing.close(4409);
    this.#sockets.set(device, connection);
    this.#announceEmpty.add(device);
    this.#drain(device);
  }

  /** The socket closed (only forgotten if it is still the device's current one). */
  detach(device: Device, connection: MockConnection): void {
    if (this.#sockets.get(device) === connection) this.#sockets.delete(device);
  }

  /** Closes the device's chat socket as a failing network would. Returns whether there was one. */
  disconnect(device: Device): boolean {
    const socket = this.#sockets.get(device);
    if (!socket) return false;
    this.#sockets.delete(device);
    socket.close(1012);
    return true;
  }

  isConnected(device: Device): boolean {
    return this.#sockets.has(device);
  }

  pendingCount(device: Device): number {
    return this.#queues.get(device)?.length ?? 0;
  }

  /** Fails and forgets every message queued for `device`. */
  drop(device: Device, reason: string): void {
    for (const pending of this.#queues.get(device) ?? []) pending.done.reject(new Error(reason));
    this.#queues.delete(device);
  }

  /** Fails and forgets every queued message. */
  dropAll(reason: string): void {
    for (const queue of this.#queues.values()) {
      for (const pending of queue) pending.done.reject(new Error(reason));
    }
    this.#queues.clear();
  }

  /**
   * Sends queued messages, in queue order, to the device's current socket, keeping at most `window`
   * awaiting an answer. A message leaves the queue only when the device answered 200; any other outcome
   * (non-200, socket gone) keeps it queued and drops that socket, so the next connection gets it again.
   * Once the queue is empty after a (re)connect, "queue empty" is announced.
   *
   * The messages awaiting an answer are always the first `window` of the queue (sent in order, removed
   * only when answered), so a drain looks at those only — not at the whole queue on every answer, which
   * made a 10,000-message backlog cost the demo server O(n²).
   */
  #drain(device: Device): void {
    const socket = this.#sockets.get(device);
    if (!socket) return;
    const queue = this.#queues.get(device) ?? [];
    for (const pending of queue.slice(0, this.#window)) {
      if (pending.inflightOn === socket) continue;
      pending.inflightOn = socket;
      socket.sendMessage(pending.message).then(
        () => {
          const current = this.#queues.get(device);
          const index = current?.indexOf(pending) ?? -1;
          if (index >= 0) {
            current!.splice(index, 1);
            pending.done.resolve();
          }
          this.#drain(device);
        },
        (error: unknown) => {
          log.debug('demo.delivery.retry', errorFields(error));
          if (pending.inflightOn === socket) pending.inflightOn = undefined;
          if (this.#sockets.get(device) === socket) {
            this.#sockets.delete(device);
            socket.close(1011);
          }
        },
      );
    }
    if (queue.length === 0 && this.#announceEmpty.delete(device)) {
      socket.sendMessage('empty').catch(() => undefined);
    }
  }
}
