/**
 * The core behind the contract: the vault, its auto-lock, and the session that exists while it is
 * unlocked, with one handler per command (src/api/core/handlers). Only src/api/service.ts uses this; it
 * parses every input and output, so handlers receive inputs already parsed by the contract's schemas.
 */
import { DEFAULT_SETTINGS, type Settings } from '../contract.js';
import { within } from '../../async/within.js';
import { errorFields, log } from '../../log.js';
import { VaultLockedError } from '../../errors.js';
import { failInterruptedSends, purgeExpiredMessages } from '../../messaging/client.js';
import { AutoLock, Vault } from '../../vault/index.js';
import type { CoreContext, CoreOptions, Emit, Handlers } from './context.js';
import { clearFreedMemory, overwriteYoungGeneration } from './freed-memory.js';
import { createHandlers } from './handlers/index.js';
import { Session } from './session.js';

/** How long quitting waits for deleted files still being shredded in the background. */
const SHRED_GRACE_MS = 3000;

export interface Core {
  readonly handlers: Handlers;
  close(): Promise<void>;
}

export function createCore(options: CoreOptions, emit: Emit): Core {
  clearFreedMemory();
  const clock = options.clock ?? Date.now;
  const vault = new Vault(options.profileDir, { ...(options.clock ? { clock } : {}), ...options.vault });
  const autoLock = new AutoLock(vault, { timeoutMs: DEFAULT_SETTINGS.autoLockSeconds * 1000 });
  const config = options.networkConfig;
  let session: Session | undefined;

  const applyAutoLock = (settings: Readonly<Settings>): void => {
    autoLock.setTimeoutMs(settings.autoLockSeconds === 0 ? null : settings.autoLockSeconds * 1000);
  };
  const dropSession = (): void => {
    // Drop every cache, store object, socket and client derived from the unlocked vault.
    session?.dispose();
    session = undefined;
  };

  const ctx: CoreContext = {
    options,
    vault,
    autoLock,
    clock,
    config,
    session() {
      if (!session) throw new VaultLockedError();
      return session;
    },
    openSession() {
      session?.dispose();
      // What expired while the vault was closed or locked goes before anything can be displayed.
      try {
        purgeExpiredMessages(vault, clock());
      } catch (error) {
        log.warn('api.purge_expired_failed', errorFields(error));
      }
      try {
        failInterruptedSends(vault.db);
      } catch (error) {
        log.warn('api.fail_interrupted_sends_failed', errorFields(error));
      }
      session = new Session(vault, config, clock, emit, options.routes);
      applyAutoLock(session.settings.get());
      autoLock.touch();
      void session.connection.start();
      // Announced here, not when the vault opens: the UI loads its screens on this event, so the session
      // must already answer (announced earlier, a window asking at once got VAULT_LOCKED).
      emit('vault.unlocked', {});
    },
    dropSession,
    applyAutoLock,
  };

  const unsubscribers: Array<() => void> = [
    // Runs before 'locked' is emitted by the vault: nothing derived from the DB survives the lock.
    vault.addLockHook(dropSession),
    vault.onLocked((reason) => {
      dropSession();
      overwriteYoungGeneration();
      emit('vault.locked', { reason });
    }),
  ];

  return {
    handlers: createHandlers(ctx),
    async close() {
      autoLock.dispose();
      if (vault.state === 'unlocked') vault.lock('shutdown');
      dropSession();
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
      // Deleted files still being overwritten get a moment; the next unlock's sweep finishes the rest
      // (their keys are gone already, so what is left on disk is unreadable).
      await within(vault.deletedFilesShredded(), SHRED_GRACE_MS);
    },
  };
}
