/**
 * What every handler module shares: the core's options, the handler types derived from the contract, and
 * the context handlers run in (the vault, auto-lock and the session of the unlocked vault).
 */
import type { z } from 'zod';
import type { COMMANDS, CommandName, CommandOutput, EventName, EventPayload, Settings } from '../contract.js';
import type { ClientConfig } from '../../net/config.js';
import type { LinkPreviewServiceOptions } from '../../net/link-preview-service.js';
import type { OpenerOptions } from '../../net/route.js';
import type { AutoLock, Vault, VaultOptions } from '../../vault/index.js';
import type { Session } from './session.js';

export interface CoreOptions {
  profileDir: string;
  /** The Signal service to talk to; absent = offline (no registration, no messaging). */
  networkConfig?: ClientConfig;
  clock?: () => number;
  /** Platform facts the UI shows (the Electron shell sets screenSecuritySupported on macOS/Windows). */
  platform?: { name: string; screenSecuritySupported: boolean };
  /** Vault options (tests pass low KDF parameters). */
  vault?: VaultOptions;
  version?: string;
  /** Link-preview fetch hooks for tests (a local https site: its CA, a name resolver, loopback allowed). */
  linkPreviews?: Pick<LinkPreviewServiceOptions, 'trustStore' | 'resolve' | 'allowLocalHosts'>;
  /** The platform's file chooser (Electron: main's dialog): paths of the files the user chose, [] if none. */
  pickFiles?: () => Promise<readonly string[]>;
  /** The platform's save dialog (Electron: main's): the path the user chose for `suggestedName`, or none. */
  chooseSavePath?: (suggestedName: string) => Promise<string | undefined>;
  /** Route hooks for tests (the CA of a local Signal TLS proxy); settings can never set them. */
  routes?: Pick<OpenerOptions, 'tlsProxyTrustRootsPem'>;
}

export type Emit = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** A command's implementation; its input is already parsed by the contract's zod schema. */
export type Handler<N extends CommandName> = (
  input: z.output<(typeof COMMANDS)[N]['input']>,
) => Promise<CommandOutput<N>>;

/** Every command has exactly one handler: a command without one does not compile. */
export type Handlers = { [N in CommandName]: Handler<N> };

export interface CoreContext {
  readonly options: CoreOptions;
  readonly vault: Vault;
  readonly autoLock: AutoLock;
  readonly clock: () => number;
  readonly config: ClientConfig | undefined;
  /** The session of the unlocked vault, or VaultLockedError. */
  session(): Session;
  /** After create/unlock: build the session (purges what expired while locked, starts the client). */
  openSession(): void;
  dropSession(): void;
  /** The auto-lock timer follows the settings. */
  applyAutoLock(settings: Readonly<Settings>): void;
}
