/**
 * The shell's half of the lock sequence, written against small ports so it runs in Node tests without
 * electron (main/index.ts plugs in the BrowserWindow, session and powerMonitor).
 *
 * When the core reports `locked` (its data APIs already fail with VAULT_LOCKED):
 *   1. cover the window's content at once (nothing readable stays on screen while the rest runs);
 *   2. tell the renderer, which resets every store slice and shows the lock screen;
 *   3. clear the renderer session's HTTP cache and storage;
 *   4. replace the renderer process, so its whole JS heap (strings we cannot wipe) is thrown away: crash it,
 *      WAIT until it is reported gone, and only then load the page again (a new process); if it is never
 *      reported gone, replace the window (`restartRenderer`) rather than load into a process that may live;
 *   5. uncover once the fresh renderer has loaded (it starts on the lock screen). If the reload fails the
 *      content stays covered — fail closed.
 * The crashed renderer must not reach the disk as a core dump: see main/core-dumps.ts.
 * System suspend / screen lock lock the vault when the setting says so, and the system idle time (from
 * powerMonitor) locks it once it reaches the auto-lock timeout.
 */
import { errorFields, log } from '../src/log.js';

export type LockReason = 'suspend' | 'lock-screen' | 'idle';
export type PowerEvent = 'suspend' | 'lock-screen';

export interface LockPolicy {
  /** settings.lockOnSuspend */
  readonly lockOnSuspend: boolean;
  /** settings.autoLockSeconds; 0 = off. */
  readonly autoLockSeconds: number;
}

export interface LockPorts {
  setContentCovered(covered: boolean): void;
  notifyRendererLocked(): void;
  clearSessionData(): Promise<void>;
  reloadRenderer(): Promise<void>;
  /** Asks the core to lock (which then reports `locked`, i.e. calls `onCoreLocked`). */
  lockCore(reason: LockReason): Promise<void>;
}

export interface LockControllerOptions {
  readonly getPolicy: () => LockPolicy;
  /** powerMonitor.getSystemIdleTime(), in seconds. */
  readonly getSystemIdleSeconds: () => number;
  readonly idlePollMs?: number;
  readonly timers?: {
    setInterval: (fn: () => void, ms: number) => unknown;
    clearInterval: (handle: unknown) => void;
  };
  /** Whether the vault starts locked (it does at app start). */
  readonly initiallyLocked?: boolean;
}

/** The window's renderer as restartRenderer sees it (main/index.ts binds it to the BrowserWindow). */
export interface RendererHost {
  /** webContents.forcefullyCrashRenderer(). */
  crash(): void;
  /** Calls `listener` once the renderer process is reported gone; returns an unsubscribe. */
  onGone(listener: () => void): () => void;
  /** Loads the app's entry page into the same webContents (a fresh renderer process after a crash). */
  load(): Promise<void>;
  /** Fallback: a new window (new webContents, new process) on the entry page; the old one destroyed. */
  replace(): Promise<void>;
}

/** How long the old renderer has to be reported gone before the window is replaced instead. */
const RENDERER_GONE_TIMEOUT_MS = 3000;

/** Step 4 of the lock: a new renderer process, never the old one reloaded. */
export async function restartRenderer(
  host: RendererHost,
  goneTimeoutMs = RENDERER_GONE_TIMEOUT_MS,
): Promise<'reloaded' | 'replaced'> {
  let unsubscribe = (): void => undefined;
  let timer: NodeJS.Timeout | undefined;
  const outcome = new Promise<'gone' | 'timeout'>((resolve) => {
    unsubscribe = host.onGone(() => resolve('gone'));
    timer = setTimeout(() => resolve('timeout'), goneTimeoutMs);
  });
  let gone: 'gone' | 'timeout' | 'crash-failed';
  try {
    host.crash();
    gone = await outcome;
  } catch (error) {
    log.warn('lock.renderer-crash-failed', errorFields(error));
    gone = 'crash-failed';
  } finally {
    clearTimeout(timer);
    unsubscribe();
  }
  if (gone === 'gone') {
    await host.load();
    return 'reloaded';
  }
  if (gone === 'timeout') log.warn('lock.renderer-not-gone', { waitedMs: goneTimeoutMs });
  await host.replace();
  return 'replaced';
}

export function shouldLockOnPowerEvent(_event: PowerEvent, policy: LockPolicy): boolean {
  return policy.lockOnSuspend;
}

export function idleLockDue(systemIdleSeconds: number, policy: LockPolicy): boolean {
  return policy.autoLockSeconds > 0 && systemIdleSeconds >= policy.autoLockSeconds;
}

export interface LockController {
  readonly locked: boolean;
  onCoreLocked(): Promise<void>;
  onCoreUnlocked(): void;
  onPowerEvent(event: PowerEvent): Promise<void>;
  checkIdle(): Promise<void>;
  start(): void;
  dispose(): void;
}

export function createLockController(ports: LockPorts, options: LockControllerOptions): LockController {
  const timers = options.timers ?? {
    setInterval: (fn: () => void, ms: number) => setInterval(fn, ms),
    clearInterval: (handle: unknown) => clearInterval(handle as NodeJS.Timeout),
  };
  let locked = options.initiallyLocked ?? true;
  let sequence: Promise<void> | undefined;
  let interval: unknown;

  async function step(name: string, action: () => Promise<void> | void): Promise<boolean> {
    try {
      await action();
      return true;
    } catch (error) {
      log.error('lock.step-failed', { step: name, ...errorFields(error) });
      return false;
    }
  }

  async function runSequence(): Promise<void> {
    await step('cover', () => ports.setContentCovered(true));
    await step('notify', () => ports.notifyRendererLocked());
    await step('clear-session', () => ports.clearSessionData());
    const reloaded = await step('reload', () => ports.reloadRenderer());
    // Only uncover if we are still locked-and-reloaded; a failed reload keeps the old page covered.
    if (reloaded) await step('uncover', () => ports.setContentCovered(false));
    log.info('lock.sequence-done', { reloaded });
  }

  async function requestLock(reason: LockReason): Promise<void> {
    if (locked) return;
    log.info('lock.requested', { reason });
    await step('lock-core', () => ports.lockCore(reason));
  }

  const controller: LockController = {
    get locked() {
      return locked;
    },
    onCoreLocked() {
      locked = true;
      // Several `locked` reports while one sequence runs share it.
      sequence ??= runSequence().finally(() => {
        sequence = undefined;
      });
      return sequence;
    },
    onCoreUnlocked() {
      locked = false;
    },
    async onPowerEvent(event) {
      if (shouldLockOnPowerEvent(event, options.getPolicy())) await requestLock(event);
    },
    async checkIdle() {
      if (locked) return;
      let idle: number;
      try {
        idle = options.getSystemIdleSeconds();
      } catch {
        return;
      }
      if (idleLockDue(idle, options.getPolicy())) await requestLock('idle');
    },
    start() {
      if (interval !== undefined) return;
      interval = timers.setInterval(() => {
        void controller.checkIdle();
      }, options.idlePollMs ?? 15_000);
    },
    dispose() {
      if (interval !== undefined) timers.clearInterval(interval);
      interval = undefined;
    },
  };
  return controller;
}
