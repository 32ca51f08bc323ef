/**
 * Keeps the chat server stocked with our prekeys while the client runs; what to upload is decided by
 * src/signal/keys.ts on Signal's schedule (top up one-time keys below the minimum, rotate the signed and
 * Kyber last-resort keys, prune old ones after the grace period).
 *
 * When: after each connect; after an envelope that used one of our one-time keys, i.e. a contact started a
 * session (the server sends no "running low" signal — Signal's server has none either, its clients ask
 * `GET /v2/keys` for the counts); and every 12 hours while connected, so a connection that stays up for
 * days still rotates. Passes never overlap: requests during a pass fold into one more pass after it.
 * How: counts and uploads go over the client's chat socket (its route: direct, SOCKS5, Tor); new keys are
 * generated and stored in the client's write queue, before their upload, never between an envelope's
 * staged decrypt and its commit. Failures are logged and retried at the next occasion, never thrown.
 */
import { oncePerTurn } from '../async/once-per-turn.js';
import type { SerialQueue } from '../async/serial-queue.js';
import { ProtocolError, ServerError } from '../errors.js';
import { errorFields, log } from '../log.js';
import {
  replenishPreKeys,
  type PreKeyUpload,
  type ReplenishOptions,
  type ServerPreKeyCounts,
} from '../signal/keys.js';
import type { IdentityKind, SignalProtocolStores } from '../signal/stores/index.js';
import type { ChatRequester } from './delivery.js';

/** Overrides of Signal's numbers (tests use small batches). */
export interface PreKeyMaintenanceSettings {
  readonly minimum?: number;
  readonly batchSize?: number;
}

const PERIODIC_CHECK_MS = 12 * 60 * 60 * 1000;
const KINDS: readonly IdentityKind[] = ['aci', 'pni'];

function ok(response: { status: number }, verb: string): void {
  if (response.status < 200 || response.status > 299) {
    throw new ServerError(`The server answered ${response.status} to ${verb}`, response.status);
  }
}

/** `GET /v2/keys?identity=<kind>`: how many of our one-time EC and Kyber prekeys the server still holds. */
async function fetchPreKeyCounts(request: ChatRequester, kind: IdentityKind): Promise<ServerPreKeyCounts> {
  const response = await request({ verb: 'GET', path: `/v2/keys?identity=${kind}` });
  ok(response, 'GET');
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(response.body ?? []).toString('utf8'));
  } catch {
    throw new ProtocolError('Malformed prekey counts');
  }
  const counts = body as Partial<Record<keyof ServerPreKeyCounts, unknown>> | null;
  if (typeof counts?.count !== 'number' || typeof counts.pqCount !== 'number') {
    throw new ProtocolError('Malformed prekey counts');
  }
  return { count: counts.count, pqCount: counts.pqCount };
}

/** `PUT /v2/keys?identity=<kind>` with a body from src/signal/keys.ts. */
async function uploadPreKeys(
  request: ChatRequester,
  kind: IdentityKind,
  upload: PreKeyUpload,
): Promise<void> {
  const response = await request({
    verb: 'PUT',
    path: `/v2/keys?identity=${kind}`,
    body: Buffer.from(JSON.stringify(upload), 'utf8'),
    headers: { 'content-type': 'application/json' },
  });
  ok(response, 'PUT');
}

/**
 * One pass for ACI and PNI: read the server's counts, let keys.ts decide, store and upload. `rotationPending`
 * holds the identities whose last rotation never reached the server (their newest key looks fresh, but the
 * server still has the old one), so they rotate again.
 */
export async function maintainPreKeys(
  request: ChatRequester,
  stores: SignalProtocolStores,
  queue: SerialQueue,
  options: ReplenishOptions & { readonly rotationPending?: Set<IdentityKind> } = {},
): Promise<{ aci: number; pni: number }> {
  const uploaded = { aci: 0, pni: 0 };
  const { rotationPending, ...replenish } = options;
  for (const kind of KINDS) {
    const counts = await fetchPreKeyCounts(request, kind);
    const forceRotation = rotationPending?.has(kind) === true;
    const upload = await queue.run(() =>
      replenishPreKeys(stores, kind, counts, { ...replenish, ...(forceRotation ? { forceRotation } : {}) }),
    );
    if (!upload) continue;
    try {
      await uploadPreKeys(request, kind, upload);
    } catch (error) {
      if (upload.signedPreKey) rotationPending?.add(kind);
      throw error;
    }
    if (upload.signedPreKey) rotationPending?.delete(kind);
    uploaded[kind] = upload.preKeys.length;
  }
  return uploaded;
}

export class PreKeyMaintenance {
  private running: Promise<void> | undefined;
  private runAgain = false;
  private readonly rotationPending = new Set<IdentityKind>();
  /** Local one-time EC keys after the last pass; fewer now means contacts used some. */
  private knownOneTime: number | undefined;
  private periodic: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly deps: {
      readonly stores: SignalProtocolStores;
      readonly request: ChatRequester;
      readonly queue: SerialQueue;
      readonly clock: () => number;
      readonly connected: () => boolean;
      readonly settings: PreKeyMaintenanceSettings | undefined;
    },
  ) {}

  /** The chat socket (re)connected: a pass now, and every 12 hours from here. */
  connected(): void {
    if (this.stopped) return;
    this.run();
    if (!this.periodic) {
      this.periodic = setInterval(() => {
        if (this.deps.connected()) this.run();
      }, PERIODIC_CHECK_MS);
      this.periodic.unref();
    }
  }

  /**
   * An envelope was committed: if it used one of our one-time keys (two COUNTs tell), a pass follows.
   * Checked once per turn of the event loop, not per envelope: a backlog batch commits 64 at once.
   */
  envelopeHandled(): void {
    if (this.stopped || this.knownOneTime === undefined) return;
    this.checkSoon();
  }

  private readonly checkSoon = oncePerTurn(() => {
    if (this.stopped || this.knownOneTime === undefined) return;
    try {
      if (this.localOneTimeCount() < this.knownOneTime) this.run();
    } catch (error) {
      // The envelopes are committed and acked whatever happens here (e.g. the vault locked meanwhile).
      log.warn('messaging.prekeys.check_failed', errorFields(error));
    }
  });

  stop(): void {
    this.stopped = true;
    clearInterval(this.periodic);
    this.periodic = undefined;
  }

  /** One pass at a time; a request during a pass runs one more pass after it. */
  private run(): void {
    if (this.running) {
      this.runAgain = true;
      return;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.runAgain && !this.stopped) {
        this.runAgain = false;
        this.run();
      }
    });
  }

  private async pass(): Promise<void> {
    const { stores, request, queue, clock, settings } = this.deps;
    try {
      await maintainPreKeys(request, stores, queue, {
        now: clock(),
        rotationPending: this.rotationPending,
        ...(settings?.minimum !== undefined ? { minimum: settings.minimum } : {}),
        ...(settings?.batchSize !== undefined ? { batchSize: settings.batchSize } : {}),
      });
      if (!this.stopped) this.knownOneTime = this.localOneTimeCount();
    } catch (error) {
      if (!this.stopped) log.warn('messaging.prekeys.maintenance_failed', errorFields(error));
    }
  }

  private localOneTimeCount(): number {
    return this.deps.stores.aci.preKeys.count() + this.deps.stores.pni.preKeys.count();
  }
}
