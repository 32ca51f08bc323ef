import { describe, expect, it } from 'vitest';
import {
  createLockController,
  restartRenderer,
  idleLockDue,
  shouldLockOnPowerEvent,
  type LockPolicy,
  type LockPorts,
} from './lock.js';

/** Fake Electron-side ports (window, session, core call) that record the order of the steps. */
function fakePorts(options: { reloadFails?: boolean; onLockCore?: () => void } = {}) {
  const steps: string[] = [];
  let covered = false;
  const ports: LockPorts = {
    setContentCovered: (value) => {
      covered = value;
      steps.push(value ? 'cover' : 'uncover');
    },
    notifyRendererLocked: () => void steps.push('notify'),
    clearSessionData: async () => {
      await Promise.resolve();
      steps.push('clear-session');
    },
    reloadRenderer: async () => {
      await Promise.resolve();
      if (options.reloadFails) throw new Error('renderer gone');
      steps.push('reload');
    },
    lockCore: async (reason) => {
      steps.push(`lock-core:${reason}`);
      options.onLockCore?.();
      await Promise.resolve();
    },
  };
  return { ports, steps, isCovered: () => covered };
}

function manualTimers() {
  const callbacks: (() => void)[] = [];
  let cleared = 0;
  return {
    timers: {
      setInterval: (fn: () => void) => {
        callbacks.push(fn);
        return callbacks.length;
      },
      clearInterval: () => void cleared++,
    },
    tick: () => callbacks.forEach((fn) => fn()),
    cleared: () => cleared,
  };
}

const on: LockPolicy = { lockOnSuspend: true, autoLockSeconds: 300 };

describe('lock policy', () => {
  it('locks on suspend / screen lock only when the setting says so', () => {
    expect(shouldLockOnPowerEvent('suspend', on)).toBe(true);
    expect(shouldLockOnPowerEvent('lock-screen', on)).toBe(true);
    expect(shouldLockOnPowerEvent('suspend', { ...on, lockOnSuspend: false })).toBe(false);
  });

  it('locks on system idle at the auto-lock timeout, never when auto-lock is off', () => {
    expect(idleLockDue(299, on)).toBe(false);
    expect(idleLockDue(300, on)).toBe(true);
    expect(idleLockDue(86_400, { ...on, autoLockSeconds: 0 })).toBe(false);
  });
});

describe('createLockController', () => {
  it('runs cover → notify → clear session → reload → uncover when the core locks', async () => {
    const fake = fakePorts();
    const lock = createLockController(fake.ports, {
      getPolicy: () => on,
      getSystemIdleSeconds: () => 0,
      initiallyLocked: false,
    });
    await lock.onCoreLocked();
    expect(fake.steps).toEqual(['cover', 'notify', 'clear-session', 'reload', 'uncover']);
    expect(lock.locked).toBe(true);
    expect(fake.isCovered()).toBe(false);
  });

  it('keeps the old page covered when the renderer cannot be reloaded (fail closed)', async () => {
    const fake = fakePorts({ reloadFails: true });
    const lock = createLockController(fake.ports, { getPolicy: () => on, getSystemIdleSeconds: () => 0 });
    await lock.onCoreLocked();
    expect(fake.steps).toEqual(['cover', 'notify', 'clear-session']);
    expect(fake.isCovered()).toBe(true);
  });

  it('runs one sequence for several locked reports that arrive together', async () => {
    const fake = fakePorts();
    const lock = createLockController(fake.ports, { getPolicy: () => on, getSystemIdleSeconds: () => 0 });
    await Promise.all([lock.onCoreLocked(), lock.onCoreLocked()]);
    expect(fake.steps.filter((step) => step === 'reload')).toHaveLength(1);
  });

  it('asks the core to lock on suspend and screen lock while unlocked, per the setting', async () => {
    let policy = on;
    const fake = fakePorts();
    const lock = createLockController(fake.ports, {
      getPolicy: () => policy,
      getSystemIdleSeconds: () => 0,
      initiallyLocked: false,
    });
    await lock.onPowerEvent('suspend');
    await lock.onPowerEvent('lock-screen');
    expect(fake.steps).toEqual(['lock-core:suspend', 'lock-core:lock-screen']);
    policy = { ...on, lockOnSuspend: false };
    await lock.onPowerEvent('suspend');
    expect(fake.steps).toHaveLength(2);
  });

  it('does not ask a locked core to lock again', async () => {
    const fake = fakePorts();
    const lock = createLockController(fake.ports, {
      getPolicy: () => on,
      getSystemIdleSeconds: () => 10_000,
    });
    await lock.onPowerEvent('suspend');
    await lock.checkIdle();
    expect(fake.steps).toEqual([]);
  });

  it('polls system idle time and locks at the auto-lock timeout; dispose stops polling', async () => {
    let idle = 10;
    const timers = manualTimers();
    const fake = fakePorts();
    const lock = createLockController(fake.ports, {
      getPolicy: () => on,
      getSystemIdleSeconds: () => idle,
      initiallyLocked: false,
      timers: timers.timers,
    });
    lock.start();
    lock.start();
    timers.tick();
    await Promise.resolve();
    expect(fake.steps).toEqual([]);
    idle = 301;
    timers.tick();
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.steps).toEqual(['lock-core:idle']);
    lock.dispose();
    expect(timers.cleared()).toBe(1);
  });

  it('unlocking re-arms the power and idle triggers', async () => {
    const fake = fakePorts();
    const lock = createLockController(fake.ports, { getPolicy: () => on, getSystemIdleSeconds: () => 301 });
    await lock.checkIdle();
    expect(fake.steps).toEqual([]);
    lock.onCoreUnlocked();
    await lock.checkIdle();
    expect(fake.steps).toEqual(['lock-core:idle']);
  });
});

describe('restartRenderer', () => {
  function host(options: { reportsGone: boolean; crashThrows?: boolean }) {
    const steps: string[] = [];
    let gone: (() => void) | undefined;
    return {
      steps,
      listening: () => gone !== undefined,
      host: {
        crash: () => {
          steps.push('crash');
          if (options.crashThrows) throw new Error('no renderer');
          if (options.reportsGone) setTimeout(() => gone?.(), 10);
        },
        onGone: (listener: () => void) => {
          gone = () => {
            steps.push('gone');
            listener();
          };
          return () => (gone = undefined);
        },
        load: () => Promise.resolve(void steps.push('load')),
        replace: () => Promise.resolve(void steps.push('replace')),
      },
    };
  }

  it('loads the page only after the old renderer is reported gone', async () => {
    const fake = host({ reportsGone: true });
    expect(await restartRenderer(fake.host, 1000)).toBe('reloaded');
    expect(fake.steps).toEqual(['crash', 'gone', 'load']);
    expect(fake.listening()).toBe(false);
  });

  it('replaces the window when the renderer is never reported gone, or cannot be crashed', async () => {
    const silent = host({ reportsGone: false });
    expect(await restartRenderer(silent.host, 50)).toBe('replaced');
    expect(silent.steps).toEqual(['crash', 'replace']);
    expect(silent.listening()).toBe(false);
    const broken = host({ reportsGone: false, crashThrows: true });
    expect(await restartRenderer(broken.host, 5000)).toBe('replaced');
    expect(broken.steps).toEqual(['crash', 'replace']);
  });
});
