/**
 * Issue 16 follow-up on the REAL demo network: a chat started by username or username link is titled with
 * the username we resolved until the person's profile name is known (Signal does the same), instead of
 * "Unknown contact". Kept in the vault; a profile name or a local name still comes first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import type { CoreService } from './service.js';
import { createTestCore, registerThroughService, type TestCore } from './test-support/core.js';
import { nextEvent, value } from './test-support/events.js';

const PASS = 'username titles passphrase 16';

describe('the title of a chat started by username', () => {
  let network: DemoNetwork;
  let a: TestCore;
  let b: TestCore;

  async function start(service: CoreService, e164: string): Promise<string> {
    await value(service.call('vault.create', { passphrase: PASS }));
    return (await registerThroughService(service, e164)).aci ?? '';
  }

  beforeAll(async () => {
    network = await startDemoNetwork();
    a = createTestCore({ networkConfig: network.config });
    b = createTestCore({ networkConfig: network.config });
    await start(a.service, '+15550016301');
    await start(b.service, '+15550016302');
  });

  afterAll(async () => {
    await a?.dispose();
    await b?.dispose();
    await network?.close();
  });

  it('by link: the username until they write, in the list too and after lock/unlock', async () => {
    const reserved = await value(a.service.call('username.reserve', { nickname: 'title_sixteen' }));
    const details = await value(a.service.call('username.confirm', { username: reserved.username }));

    const started = await value(
      b.service.call('conversations.start', { usernameLink: details.usernameLink ?? '' }),
    );
    expect(started.title).toBe(reserved.username);
    const list = await value(b.service.call('conversations.list', {}));
    expect(list.find((c) => c.id === started.id)?.title).toBe(reserved.username);

    await value(b.service.call('vault.lock', {}));
    await value(b.service.call('vault.unlock', { passphrase: PASS }));
    const reopened = await value(b.service.call('conversations.list', {}));
    expect(reopened.find((c) => c.id === started.id)?.title).toBe(reserved.username);
  });

  it('by username: as typed, then the profile name once it is known; a local name comes first', async () => {
    const phone = await network.createContact('Phone Sixteen', { echo: true });
    await network.server.setUsername(phone.aci as never, 'phonesixteen.77');
    const started = await value(a.service.call('conversations.start', { username: 'PhoneSixteen.77' }));
    expect(started.title).toBe('PhoneSixteen.77');

    const named = nextEvent(
      a.service,
      'conversation.updated',
      (p) => p.conversation.title === 'Phone Sixteen',
    );
    await value(a.service.call('messages.send', { conversationId: started.id, body: 'hello' }));
    const conversation = await named;
    // The chat header's second line: the username it was started by, kept once the profile name is the title.
    expect(started.username).toBe('PhoneSixteen.77');
    expect(conversation.conversation.username).toBe('PhoneSixteen.77');

    // Named locally first (by Signal ID), then found by username: the local name stays the title.
    const other = await network.createContact('Other Sixteen');
    await network.server.setUsername(other.aci as never, 'othersixteen.42');
    const local = await value(a.service.call('conversations.start', { serviceId: other.aci, name: 'Olga' }));
    expect(local.title).toBe('Olga');
    expect(local.username).toBeUndefined();
    const found = await value(a.service.call('conversations.start', { username: 'othersixteen.42' }));
    expect(found.title).toBe('Olga');
    expect(found.username).toBe('othersixteen.42');
  });
});
