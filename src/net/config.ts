/**
 * What a client needs to know about the service it talks to. Platform-free and JSON-serialisable, so the
 * demo network can write it to a file and the app can read it back.
 *
 * Two modes exist:
 * - `production`: Signal's servers. The only config a packaged build may use (see `assertConfigAllowed`).
 * - `demo`: the local @signalapp/mock-server network (src/demo). Its TLS CA private key and its
 *   sealed-sender trust-root private key are published in the mock-server package, so a demo config gives
 *   no confidentiality against anyone; it must be explicit, labelled in the UI, and refused by production
 *   builds.
 */
import { ValidationError } from '../errors.js';

export type ClientMode = 'demo' | 'production';

export interface ServiceEndpoint {
  /** DNS name or IP to connect to (resolved by the SOCKS proxy when one is configured). */
  readonly host: string;
  readonly port: number;
  /** TLS SNI / certificate name; defaults to `host`. */
  readonly servername?: string;
}

export interface ClientConfig {
  readonly mode: ClientMode;
  /** Chat service: REST (HTTP/2) and the chat WebSocket (RFC 8441 over the same HTTP/2 session). */
  readonly chat: ServiceEndpoint;
  /** Storage service (Signal: storage.signal.org; the mock serves it under /storageService on chat). */
  readonly storage: ServiceEndpoint;
  /** Attachment CDNs by number ("0", "2", "3"). */
  readonly cdn: Readonly<Record<string, ServiceEndpoint>>;
  /**
   * PEM certificate(s) of the only CA(s) trusted for TLS to the endpoints above. System roots are never
   * used: a connection whose chain does not end here is rejected.
   */
  readonly tlsTrustRootsPem: readonly string[];
  /** zkgroup ServerPublicParams, base64. */
  readonly serverPublicParams: string;
  /** zkgroup generic server public params (call links), base64. */
  readonly genericServerPublicParams: string;
  /** zkgroup backup server public params, base64. */
  readonly backupServerPublicParams: string;
  /** Sealed-sender (unidentified delivery) trust-root public keys, base64 (libsignal PublicKey encoding). */
  readonly unidentifiedDeliveryTrustRoots: readonly string[];
}

/**
 * What a client can do against its service. Chosen by the configuration, never by fallback: the demo
 * network's key backup takes the PIN-derived access key in the clear (fine for a local demo, where the
 * server is ours), while Signal's real key backup (SVR2) is an attested enclave this build does not speak —
 * so in production PIN backup, and the registration lock that needs it, are refused as NOT_AVAILABLE.
 */
export interface ClientCapabilities {
  /** PIN-protected key backup and recovery with the PIN. */
  readonly pinBackup: boolean;
  /** Registration lock (its token comes from the master key the PIN backup protects). */
  readonly registrationLock: boolean;
  /**
   * Finding people by phone number. Signal does it through CDSI, an attested enclave this build does not
   * speak (and the mock server lacks); the demo network answers from a small labelled directory instead.
   */
  readonly phoneNumberLookup: boolean;
  /** The trainer's workshop panel (presets to show settings before/after); demo network only. */
  readonly workshop: boolean;
}

/** The capabilities of `config` (no config: nothing that needs a service). */
export function capabilitiesOf(config: ClientConfig | undefined): ClientCapabilities {
  const demo = config?.mode === 'demo';
  return { pinBackup: demo, registrationLock: demo, phoneNumberLookup: demo, workshop: demo };
}

function endpoint(value: unknown, field: string): ServiceEndpoint {
  if (typeof value !== 'object' || value === null) throw new ValidationError(`config.${field} is missing`);
  const { host, port, servername } = value as Record<string, unknown>;
  if (typeof host !== 'string' || host.length === 0)
    throw new ValidationError(`config.${field}.host is invalid`);
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ValidationError(`config.${field}.port is invalid`);
  }
  if (servername !== undefined && typeof servername !== 'string') {
    throw new ValidationError(`config.${field}.servername is invalid`);
  }
  return servername === undefined ? { host, port } : { host, port, servername };
}

function stringList(value: unknown, field: string): string[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((v) => typeof v === 'string' && v.length > 0)
  ) {
    throw new ValidationError(`config.${field} must be a non-empty list of strings`);
  }
  return value as string[];
}

function nonEmpty(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new ValidationError(`config.${field} is invalid`);
  return value;
}

/** Validates untrusted JSON (e.g. a file written by `npm run demo-server`) into a ClientConfig. */
export function parseClientConfig(json: unknown): ClientConfig {
  if (typeof json !== 'object' || json === null) throw new ValidationError('config must be an object');
  const raw = json as Record<string, unknown>;
  if (raw.mode !== 'demo' && raw.mode !== 'production') throw new ValidationError('config.mode is invalid');
  if (typeof raw.cdn !== 'object' || raw.cdn === null) throw new ValidationError('config.cdn is missing');
  const cdn: Record<string, ServiceEndpoint> = {};
  for (const [key, value] of Object.entries(raw.cdn)) cdn[key] = endpoint(value, `cdn.${key}`);
  return {
    mode: raw.mode,
    chat: endpoint(raw.chat, 'chat'),
    storage: endpoint(raw.storage, 'storage'),
    cdn,
    tlsTrustRootsPem: stringList(raw.tlsTrustRootsPem, 'tlsTrustRootsPem'),
    serverPublicParams: nonEmpty(raw.serverPublicParams, 'serverPublicParams'),
    genericServerPublicParams: nonEmpty(raw.genericServerPublicParams, 'genericServerPublicParams'),
    backupServerPublicParams: nonEmpty(raw.backupServerPublicParams, 'backupServerPublicParams'),
    unidentifiedDeliveryTrustRoots: stringList(
      raw.unidentifiedDeliveryTrustRoots,
      'unidentifiedDeliveryTrustRoots',
    ),
  };
}
