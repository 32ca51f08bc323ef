/**
 * Opening the sealed-sender layer on a second thread. Receiving a sealed message is two steps (see
 * cipher.ts): the outer layer, which needs only our identity key — two X25519 agreements, about a third
 * of the message's CPU — and then the session message, which reads and writes the vault. The outer layer
 * of the envelopes that wait in the receive window is opened here while the main thread decrypts and
 * commits the batch before them.
 *
 * The worker is only an accelerator: a message it could not open (a bad message, a worker that failed to
 * start, crashed or was closed) is opened again on the calling thread, so every error, and every
 * decision about what to acknowledge, is exactly the one the single-threaded path makes. Only our
 * identity key pair is handed to it, moved rather than copied, and its bytes are zeroed once read;
 * `close()` (the vault locks, the client stops) has it drop the key and ends the thread.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { UnidentifiedSenderMessageContent, type IdentityKeyPair } from '@signalapp/libsignal-client';
import { within } from '../async/within.js';
import { errorFields, log } from '../log.js';

/**
 * The worker's program, as CommonJS source: a file of its own would need its own entry in the
 * production bundle and an asar-aware path; this travels inside the bundle. It requires libsignal
 * from the path the main thread resolved.
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const signal = require(workerData.libsignal);

class OwnIdentity extends signal.IdentityKeyStore {
  constructor(pair) { super(); this.pair = pair; }
  getIdentityKey() { return Promise.resolve(this.pair.privateKey); }
  getIdentityKeyPair() { return Promise.resolve(this.pair); }
  getLocalRegistrationId() { return Promise.reject(new Error('not available here')); }
  saveIdentity() { return Promise.reject(new Error('not available here')); }
  isTrustedIdentity() { return Promise.reject(new Error('not available here')); }
  getIdentity() { return Promise.reject(new Error('not available here')); }
}

let identity;
let inFlight = 0;
let closing = false;
// Ends the thread by letting its event loop run empty: terminating it while libsignal still has work
// in flight aborts the whole process (a Neon callback into a dying environment).
const finishIfDone = () => {
  if (closing && inFlight === 0) parentPort.close();
};
parentPort.on('message', (message) => {
  if (message.type === 'key') {
    const bytes = new Uint8Array(message.keyPair);
    identity = new OwnIdentity(signal.IdentityKeyPair.deserialize(bytes));
    bytes.fill(0);
    return;
  }
  if (message.type === 'close') {
    identity = undefined;
    closing = true;
    finishIfDone();
    return;
  }
  if (!identity) {
    parentPort.postMessage({ id: message.id });
    return;
  }
  inFlight += 1;
  signal
    .sealedSenderDecryptToUsmc(message.ciphertext, identity)
    .then(
      (usmc) => parentPort.postMessage({ id: message.id, usmc: usmc.serialize() }),
      () => parentPort.postMessage({ id: message.id }),
    )
    .finally(() => {
      inFlight -= 1;
      finishIfDone();
    });
});
`;

type Reply = { readonly id: number; readonly usmc?: Uint8Array<ArrayBuffer> };

/** How long `close()` waits for the worker's work in flight (an unseal takes well under a millisecond). */
const CLOSE_WAIT_MS = 2000;

/** Opens sealed-sender ciphertexts with one identity key; `fallback` is the same step on this thread. */
export class SealedSenderUnsealer {
  #worker: Worker | undefined;
  readonly #waiting = new Map<number, (usmc: Uint8Array<ArrayBuffer> | undefined) => void>();
  #nextId = 1;
  #closed = false;

  constructor(
    keyPair: IdentityKeyPair,
    private readonly fallback: (
      ciphertext: Uint8Array<ArrayBuffer>,
    ) => Promise<UnidentifiedSenderMessageContent>,
    libsignalPath = createRequire(import.meta.url).resolve('@signalapp/libsignal-client'),
  ) {
    try {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { libsignal: libsignalPath } });
      // Moved, not copied: no copy of the private key stays on this thread (the buffer is its own, so
      // moving it takes nothing else along).
      const serialized = keyPair.serialize();
      const moved = new Uint8Array(serialized);
      serialized.fill(0);
      worker.postMessage({ type: 'key', keyPair: moved.buffer }, [moved.buffer]);
      worker.on('message', (reply: Reply) => this.#settle(reply.id, reply.usmc));
      worker.on('error', (error) => {
        log.warn('signal.unseal_worker_failed', errorFields(error));
        this.#stop();
      });
      worker.on('exit', () => this.#stop());
      worker.unref();
      this.#worker = worker;
    } catch (error) {
      log.warn('signal.unseal_worker_unavailable', errorFields(error));
    }
  }

  /** The outer layer of `ciphertext`: from the worker when it can, otherwise (and for errors) here. */
  async unseal(ciphertext: Uint8Array<ArrayBuffer>): Promise<UnidentifiedSenderMessageContent> {
    const worker = this.#worker;
    if (worker) {
      const id = this.#nextId++;
      const opened = new Promise<Uint8Array<ArrayBuffer> | undefined>((resolve) =>
        this.#waiting.set(id, resolve),
      );
      // Kept alive only while an answer is awaited: an idle worker must not hold the process open.
      if (this.#waiting.size === 1) worker.ref();
      worker.postMessage({ id, ciphertext });
      const usmc = await opened;
      if (usmc) return UnidentifiedSenderMessageContent.deserialize(usmc);
    }
    return this.fallback(ciphertext);
  }

  /**
   * Has the worker drop the key and end once its work in flight is done (never `terminate()`: see the
   * worker's source); what is still waiting for it is opened here instead.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const worker = this.#worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.ref(); // until it has ended
    worker.postMessage({ type: 'close' });
    this.#stop();
    if ((await within(exited, CLOSE_WAIT_MS)) === 'timed-out') {
      // Its work in flight is stuck: left to end with the process rather than aborting it now.
      log.warn('signal.unseal_worker_slow_to_close');
      worker.unref();
    }
  }

  #settle(id: number, usmc: Uint8Array<ArrayBuffer> | undefined): void {
    const resolve = this.#waiting.get(id);
    this.#waiting.delete(id);
    if (this.#waiting.size === 0) this.#worker?.unref();
    resolve?.(usmc);
  }

  /** No more requests to the worker; everything waiting is opened on this thread instead. */
  #stop(): void {
    this.#worker = undefined;
    for (const resolve of this.#waiting.values()) resolve(undefined);
    this.#waiting.clear();
  }
}
