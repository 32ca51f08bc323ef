/**
 * Issue 12.3: one authenticated chat socket per account. Signal's server (and the mock) closes the older
 * socket of a device when a new one authenticates, so a PIN or registration-lock request on a socket of its
 * own would knock the messaging client offline. With the client running they go over its socket: the
 * server sees no second authenticated socket and the client never leaves `online`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '@signalapp/mock-server';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import type { CoreService } from './service.js';
import { createTestCore, registerThroughService, type TestCore } from './test-support/core.js';
import { value } from './test-support/events.js';

const PASS = 'one socket test passphrase 19';
const NUMBER = '+15550006633';

describe('PIN and registration lock over the running client’s chat socket', () => {
  let network: DemoNetwork;
  let core: TestCore;
  let service: CoreService;
  /** Authenticated sockets the server accepted, per device. */
  const accepted = new Map<Device, number>();
  const statuses: string[] = [];

  beforeAll(async () => {
    network = await startDemoNetwork();
    const add = network.server.addWebSocket.bind(network.server);
    network.server.addWebSocket = (device, socket) => {
      accepted.set(device, (accepted.get(device) ?? 0) + 1);
      return add(device, socket);
    };
    core = createTestCore({ networkConfig: network.config });
    service = core.service;
    await value(service.call('vault.create', { passphrase: PASS }));
    await registerThroughService(service, NUMBER);
  });

  afterAll(async () => {
    await core?.dispose();
    await network?.close();
  });

  it('pin.set and registrationLock.set open no second authenticated socket', async () => {
    const before = [...accepted.values()].reduce((a, b) => a + b, 0);
    const off = service.onEvent((name, payload) => {
      if (name === 'network.status') statuses.push((payload as { status: string }).status);
    });
    try {
      const pin = (await value(service.call('pin.generate', {}))).pin;
      expect((await value(service.call('pin.set', { pin }))).pinSet).toBe(true);
      expect((await value(service.call('registrationLock.set', { enabled: true }))).registrationLock).toBe(
        true,
      );
      expect(network.server.svr.svr.registrationLock.isLocked(NUMBER)).toBe(true);
      expect((await value(service.call('registrationLock.set', { enabled: false }))).registrationLock).toBe(
        false,
      );
      // A displaced socket would show up as a reconnect shortly after.
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      off();
    }
    expect([...accepted.values()].reduce((a, b) => a + b, 0)).toBe(before);
    expect(statuses.filter((s) => s !== 'online')).toEqual([]);
  });
});
