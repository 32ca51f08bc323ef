/**
 * A user who never set a profile name can still create and join groups: the first connect uploads our
 * profile key's commitment (Signal uploads a profile at registration), which the group service's
 * credentials are checked against. Before, the commitment went up only with a profile name, and
 * groups.create failed ("no profile key credential").
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import { createTestCore, registerThroughService, type TestCore } from './test-support/core.js';
import { value } from './test-support/events.js';

describe('profile key commitment (demo network)', () => {
  let network: DemoNetwork;
  let core: TestCore;

  beforeAll(async () => {
    network = await startDemoNetwork();
    core = createTestCore({ networkConfig: network.config });
    await value(core.service.call('vault.create', { passphrase: 'commitment passphrase 15' }));
    await registerThroughService(core.service, '+15550001599');
  });
  afterAll(async () => {
    await core?.dispose();
    await network?.close();
  });

  it('a registered account without a profile name creates a group', async () => {
    const details = await value(core.service.call('account.details', {}));
    expect(details.profile.givenName).toBeNull();
    // The upload runs in the background after the connect: creating waits for nothing else.
    await vi.waitFor(
      async () => {
        const group = await value(
          core.service.call('groups.create', { title: 'Quiet ones', memberConversationIds: [] }),
        );
        expect(group.membership).toBe('member');
      },
      { timeout: 15_000, interval: 250 },
    );
  });
});
