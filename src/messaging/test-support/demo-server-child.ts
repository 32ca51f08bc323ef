/**
 * Test/bench-only: the demo network in its own process, driven over the Node IPC channel, so a
 * measurement of the client is not charged with the server's CPU (in production the server is remote).
 *
 *   parent → { type: 'contact', name }                         child → { type: 'contact', aci }
 *   parent → { type: 'queue', to, from, count, base }          child → { type: 'queued' } then { type: 'acked' }
 *   parent → { type: 'group', to, size }                       child → { type: 'group', groupId, ownerAci }
 *   parent → { type: 'drain' }                                 child → { type: 'drained', decrypted, failed }
 *   parent → { type: 'cpu' }                                   child → { type: 'cpu', ms } (its CPU so far)
 *   parent → { type: 'close' }                                 child exits
 * On start the child sends { type: 'ready', config }. argv[2]: the server's delivery window (default 1).
 */
import type { Device } from '@signalapp/mock-server';
import { startDemoNetwork, type DemoContact } from '../../demo/network.js';
import { BenchGroups } from '../../demo/test-support/bench-groups.js';

type Command =
  | { type: 'contact'; name: string }
  | { type: 'queue'; to: string; from: string; count: number; base: number }
  | { type: 'group'; to: string; size: number }
  | { type: 'drain' }
  | { type: 'cpu' }
  | { type: 'close' };

const send = (message: unknown): void => {
  process.send?.(message);
};

const network = await startDemoNetwork({ deliveryWindow: Number(process.argv[2] ?? '1') });
const contacts = new Map<string, DemoContact>();
const sessions = new Set<string>();
const groups = new BenchGroups(network);

async function queue(command: Extract<Command, { type: 'queue' }>): Promise<void> {
  const contact = contacts.get(command.from);
  const device: Device | undefined = await network.server.getDeviceByServiceId(command.to as never);
  if (!contact || !device) throw new Error('unknown contact or device');
  if (!sessions.has(command.from)) {
    sessions.add(command.from);
    await contact.device.addSingleUseKey(device, await device.popSingleUseKey());
  }
  const acks: Promise<void>[] = [];
  for (let i = 0; i < command.count; i += 1) {
    const envelope = await contact.device.encryptText(device, `backlog message ${i}`, {
      sealed: true,
      withProfileKey: true,
      timestamp: command.base + i,
    });
    acks.push(network.server.send(device, envelope));
  }
  send({ type: 'queued', pending: network.server.pendingCount(device) });
  await Promise.all(acks);
  send({ type: 'acked' });
}

process.on('message', (raw: unknown) => {
  const command = raw as Command;
  void (async () => {
    try {
      if (command.type === 'contact') {
        const contact = await network.createContact(command.name);
        contacts.set(contact.aci, contact);
        send({ type: 'contact', aci: contact.aci });
      } else if (command.type === 'queue') {
        await queue(command);
      } else if (command.type === 'group') {
        send({ type: 'group', ...(await groups.create(command.to, command.size)) });
      } else if (command.type === 'drain') {
        send({ type: 'drained', ...(await groups.drain()) });
      } else if (command.type === 'cpu') {
        const { user, system } = process.cpuUsage();
        send({ type: 'cpu', ms: (user + system) / 1000 });
      } else if (command.type === 'close') {
        await network.close();
        process.exit(0);
      }
    } catch (error) {
      send({ type: 'error', message: error instanceof Error ? error.message : 'error' });
    }
  })();
});

send({ type: 'ready', config: network.config });
