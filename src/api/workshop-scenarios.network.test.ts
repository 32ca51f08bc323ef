/**
 * Issue 17 missing #4 (c): on the demo network the trainer's workshop makes simulated contacts act on this
 * profile through the demo server's control route (reached over our own chat socket): a new stranger's
 * message request, a safety-number change, a view-once photo and a disappearing-message chat from a known
 * contact; and (d) what a contact receives of a photo with GPS EXIF, next to the original's metadata.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoContact, type DemoNetwork } from '../demo/network.js';
import { createTestCore, registerThroughService, type TestCore } from './test-support/core.js';
import { nextEvent, value } from './test-support/events.js';

const PASS = 'workshop scenario passphrase 17';

describe('workshop scenarios on the demo network', () => {
  let network: DemoNetwork;
  let core: TestCore;
  let echo: DemoContact;
  let echoConversationId: string;
  let ourAci: string;

  beforeAll(async () => {
    network = await startDemoNetwork();
    echo = await network.createContact('Echo', { echo: true });
    core = createTestCore({ networkConfig: network.config });
    await value(core.service.call('vault.create', { passphrase: PASS }));
    ourAci = (await registerThroughService(core.service, '+15550001717')).aci ?? '';
    const started = await value(
      core.service.call('conversations.start', { serviceId: echo.aci, name: 'Echo' }),
    );
    echoConversationId = started.id;
    const reply = nextEvent(core.service, 'message.added', (p) => p.message.body === 'Echo: hello');
    await value(core.service.call('messages.send', { conversationId: echoConversationId, body: 'hello' }));
    await reply;
  });

  afterAll(async () => {
    await core?.dispose();
    await network?.close();
  });

  it('a new stranger writes each time: a message request', async () => {
    for (const name of ['Stranger 1', 'Stranger 2']) {
      const arrived = nextEvent(
        core.service,
        'message.added',
        (p) => p.message.direction === 'in' && p.message.body.startsWith('Hi! We have not met'),
      );
      expect(await value(core.service.call('workshop.trigger', { scenario: 'message-request' }))).toEqual({
        contact: name,
      });
      const { message } = await arrived;
      const conversations = await value(core.service.call('conversations.list', {}));
      const request = conversations.find((c) => c.id === message.conversationId);
      expect(request?.isRequest).toBe(true);
      expect(request?.serviceId).not.toBe(echo.aci);
    }
  });

  it('with unknown senders dropped, the stranger’s message never shows', async () => {
    await value(core.service.call('settings.update', { patch: { blockUnknownSenders: 'drop' } }));
    try {
      const before = (await value(core.service.call('conversations.list', {}))).length;
      expect(await value(core.service.call('workshop.trigger', { scenario: 'message-request' }))).toEqual({
        contact: 'Stranger 3',
      });
      // The server delivers to us in order: once Echo's later message is here, the stranger's was handled.
      const barrier = nextEvent(
        core.service,
        'message.added',
        (p) => p.message.body === 'after the stranger',
      );
      await echo.sendText(ourAci, 'after the stranger');
      await barrier;
      expect(await value(core.service.call('conversations.list', {}))).toHaveLength(before);
    } finally {
      await value(
        core.service.call('settings.update', { patch: { blockUnknownSenders: 'hold-as-request' } }),
      );
    }
  });

  it('a known contact reinstalls with a new identity key: safety number changed', async () => {
    const before = await value(core.service.call('safetyNumber.get', { conversationId: echoConversationId }));
    const notice = nextEvent(
      core.service,
      'message.added',
      (p) => p.message.conversationId === echoConversationId && p.message.kind === 'identity-changed',
    );
    const text = nextEvent(
      core.service,
      'message.added',
      (p) => p.message.conversationId === echoConversationId && p.message.body.includes('reinstalled'),
    );
    expect(await value(core.service.call('workshop.trigger', { scenario: 'safety-number-change' }))).toEqual({
      contact: 'Echo',
    });
    await notice;
    await text;
    const after = await value(core.service.call('safetyNumber.get', { conversationId: echoConversationId }));
    expect(after.digits).not.toBe(before.digits);
    const conversations = await value(core.service.call('conversations.list', {}));
    expect(conversations.find((c) => c.id === echoConversationId)?.safetyNumberChanged).toBe(true);
    // Echo still answers under its new key.
    const reply = nextEvent(core.service, 'message.added', (p) => p.message.body === 'Echo: still you?');
    await value(
      core.service.call('messages.send', { conversationId: echoConversationId, body: 'still you?' }),
    );
    await reply;
  });

  it('a known contact sends a view-once photo', async () => {
    const arrived = nextEvent(
      core.service,
      'message.added',
      (p) => p.message.conversationId === echoConversationId && p.message.viewOnce,
    );
    expect(await value(core.service.call('workshop.trigger', { scenario: 'view-once-photo' }))).toEqual({
      contact: 'Echo',
    });
    const { message } = await arrived;
    expect(message).toMatchObject({ viewOnce: true, viewed: false });
    expect(message.attachments).toHaveLength(1);
  });

  it('a known contact sets a disappearing timer and writes', async () => {
    const arrived = nextEvent(
      core.service,
      'message.added',
      (p) => p.message.conversationId === echoConversationId && p.message.body.includes('disappears'),
    );
    await value(core.service.call('workshop.trigger', { scenario: 'disappearing-chat' }));
    const { message } = await arrived;
    // The countdown starts when it is read, as in Signal.
    expect(message.expireTimerSeconds).toBe(300);
    const conversations = await value(core.service.call('conversations.list', {}));
    expect(conversations.find((c) => c.id === echoConversationId)?.expireTimerSeconds).toBe(300);
  });

  it('what a contact receives: GPS, camera and date on the original, none in what Echo decrypted', async () => {
    const demo = await value(core.service.call('workshop.metadataDemo', {}));
    expect(demo).toEqual({
      contact: 'Echo',
      original: {
        gps: '48.85823° N, 2.29452° E',
        camera: 'WorkshopPhone Camera 12 Pro',
        takenAt: '2026:11:30 14:02:11',
        exif: true,
      },
      received: { gps: null, camera: null, takenAt: null, exif: false },
    });
  });

  it('is refused before registration (no chat socket to the demo network)', async () => {
    const other = createTestCore({ networkConfig: network.config });
    try {
      await value(other.service.call('vault.create', { passphrase: PASS }));
      const result = await other.service.call('workshop.trigger', { scenario: 'message-request' });
      expect(result.ok).toBe(false);
      expect((await other.service.call('workshop.metadataDemo', {})).ok).toBe(false);
    } finally {
      await other.dispose();
    }
  });
});
