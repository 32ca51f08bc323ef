/**
 * Issue 17 (workshop): "Apply recommended" says exactly which settings it changed, every report says why
 * each protection matters, and the change can be undone — once, and not after a lock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CoreService } from './service.js';
import { createTestCore, type TestCore } from './test-support/core.js';
import { value } from './test-support/events.js';

const PASS = 'walnut ferry 64 silent marsh';

describe('audit.applyRecommended and audit.undoRecommended', () => {
  let core: TestCore;
  let service: CoreService;

  beforeEach(async () => {
    core = createTestCore();
    service = core.service;
    await value(service.call('vault.create', { passphrase: PASS }));
  });

  afterEach(async () => {
    await core.dispose();
  });

  it('lists exactly what it changed, and undo puts back exactly that', async () => {
    await value(
      service.call('settings.update', {
        patch: { linkPreviews: true, notificationPrivacy: 'name-and-message', autoLockSeconds: 900 },
      }),
    );
    const report = await value(service.call('audit.get', {}));
    expect(report.changes).toBeUndefined();
    for (const item of report.items) expect(item.why, item.id).toMatch(/\S.*\./);

    const applied = await value(service.call('audit.applyRecommended', {}));
    expect(applied.changes).toEqual([
      {
        key: 'disappearingDefaultSeconds',
        label: 'Disappearing messages (default for new chats)',
        from: 'off',
        to: '1 week',
      },
      { key: 'linkPreviews', label: 'Link previews', from: 'on', to: 'off' },
      {
        key: 'notificationPrivacy',
        label: 'Notification content',
        from: 'name and message',
        to: 'no name or message',
      },
    ]);
    // A setting the user chose within the recommendation (15 minutes) is not part of the change.
    expect((await value(service.call('settings.get', {}))).autoLockSeconds).toBe(900);

    // Another change after the apply stays: undo restores only what the apply changed.
    await value(service.call('settings.update', { patch: { screenSecurity: false } }));
    const undone = await value(service.call('audit.undoRecommended', {}));
    expect(undone.changes?.map((c) => [c.key, c.to])).toEqual([
      ['disappearingDefaultSeconds', 'off'],
      ['linkPreviews', 'on'],
      ['notificationPrivacy', 'name and message'],
    ]);
    const settings = await value(service.call('settings.get', {}));
    expect(settings).toMatchObject({
      disappearingDefaultSeconds: 0,
      linkPreviews: true,
      notificationPrivacy: 'name-and-message',
      autoLockSeconds: 900,
      screenSecurity: false,
    });

    const again = await service.call('audit.undoRecommended', {});
    expect(again.ok ? null : again.error.code).toBe('PRECONDITION');
  });

  it('an undo does not survive a lock', async () => {
    await value(service.call('settings.update', { patch: { linkPreviews: true } }));
    await value(service.call('audit.applyRecommended', {}));
    await value(service.call('vault.lock', { reason: 'user' }));
    await value(service.call('vault.unlock', { passphrase: PASS }));
    const result = await service.call('audit.undoRecommended', {});
    expect(result.ok ? null : result.error.code).toBe('PRECONDITION');
  });
});
