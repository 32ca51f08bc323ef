/**
 * Test-only: a created vault with a registered account on the demo network and an open chat with a
 * simulated contact that has already written once (so the chat's sessions exist both ways).
 */
import type { DemoContact, DemoNetwork } from '../../demo/network.js';
import type { CoreService } from '../service.js';
import { registerThroughService } from './core.js';
import { nextEvent, value } from './events.js';

export interface ContactChat {
  readonly ourAci: string;
  readonly contact: DemoContact;
  readonly conversationId: string;
}

export async function openContactChat(
  service: CoreService,
  network: DemoNetwork,
  account: { readonly passphrase: string; readonly number: string; readonly contactName: string },
): Promise<ContactChat> {
  await value(service.call('vault.create', { passphrase: account.passphrase }));
  const ourAci = (await registerThroughService(service, account.number)).aci!;
  const contact = await network.createContact(account.contactName);
  const { id: conversationId } = await value(
    service.call('conversations.start', { serviceId: contact.aci, name: account.contactName }),
  );
  const first = nextEvent(service, 'message.added', (p) => p.message.direction === 'in');
  await contact.device.sendText(await contact.ensureSession(ourAci), 'hello', { sealed: false });
  await first;
  return { ourAci, contact, conversationId };
}
