import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { setLogSink, type LogFields } from '../log.js';
import { DEFAULT_SETTINGS, settingsSchema, type Settings } from './schema.js';
import { SettingsStore } from './store.js';
import { createTestDb, type TestDb } from '../test-support/db.js';

describe('settings schema', () => {
  it('defaults are valid and hardened', () => {
    expect(settingsSchema.parse(DEFAULT_SETTINGS)).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS.linkPreviews).toBe(false);
    expect(DEFAULT_SETTINGS.screenSecurity).toBe(true);
    expect(DEFAULT_SETTINGS.lockOnSuspend).toBe(true);
    expect(DEFAULT_SETTINGS.autoLockSeconds).toBe(300);
    expect(DEFAULT_SETTINGS.notificationPrivacy).toBe('no-name-or-message');
  });

  it('validates proxy host and port', () => {
    const ok = (proxy: unknown) => settingsSchema.shape.proxy.safeParse(proxy).success;
    expect(ok({ mode: 'socks5', host: '127.0.0.1', port: 1080 })).toBe(true);
    expect(ok({ mode: 'socks5', host: '::1', port: 1080 })).toBe(true);
    expect(ok({ mode: 'socks5', host: 'proxy.example.org', port: 65535, username: 'u', password: 'p' })).toBe(
      true,
    );
    expect(ok({ mode: 'socks5', host: 'bad host', port: 1080 })).toBe(false);
    expect(ok({ mode: 'socks5', host: 'socks5://x.org', port: 1080 })).toBe(false);
    expect(ok({ mode: 'socks5', host: 'x.org', port: 0 })).toBe(false);
    expect(ok({ mode: 'socks5', host: 'x.org', port: 65536 })).toBe(false);
    expect(ok({ mode: 'socks5', host: 'x.org', port: 1080.5 })).toBe(false);
    expect(ok({ mode: 'socks5', host: '', port: 1080 })).toBe(false);
    expect(ok({ mode: 'tor' })).toBe(true);
    expect(ok({ mode: 'http', host: 'x.org', port: 80 })).toBe(false);
  });

  it('accepts only the listed timers', () => {
    const timer = settingsSchema.shape.disappearingDefaultSeconds;
    expect(timer.safeParse(604_800).success).toBe(true);
    expect(timer.safeParse(0).success).toBe(true);
    expect(timer.safeParse(12).success).toBe(false);
    expect(settingsSchema.shape.autoLockSeconds.safeParse(60).success).toBe(true);
    expect(settingsSchema.shape.autoLockSeconds.safeParse(61).success).toBe(false);
  });
});

describe('SettingsStore', () => {
  let temp: TestDb;
  const logs: { level: string; event: string; fields: LogFields }[] = [];

  beforeEach(() => {
    temp = createTestDb();
    logs.length = 0;
    setLogSink((level, event, fields) => logs.push({ level, event, fields }), 'debug');
  });
  afterEach(() => {
    setLogSink(undefined, 'warn');
    temp.dispose();
  });

  it('returns defaults on an empty DB and persists changes across a reopen', () => {
    const store = new SettingsStore(temp.db);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    store.set('linkPreviews', true);
    store.patch({ autoLockSeconds: 60, proxy: { mode: 'socks5', host: '10.0.0.1', port: 9150 } });
    const reopened = new SettingsStore(temp.reopen());
    expect(reopened.get().linkPreviews).toBe(true);
    expect(reopened.get().autoLockSeconds).toBe(60);
    expect(reopened.get().proxy).toEqual({ mode: 'socks5', host: '10.0.0.1', port: 9150 });
  });

  it('rejects invalid values with ValidationError and writes nothing', () => {
    const store = new SettingsStore(temp.db);
    store.set('autoLockSeconds', 900);
    const bad: unknown[] = [
      { autoLockSeconds: 7 },
      { linkPreviews: 'yes' },
      { notificationPrivacy: 'everything' },
      { proxy: { mode: 'socks5', host: 'x.org', port: 70_000 } },
      { proxy: { mode: 'socks5', host: 'not a host', port: 1080 } },
      { unknownSetting: true },
      { autoLockSeconds: 60, linkPreviews: 'yes' },
      'not an object',
      null,
    ];
    for (const patch of bad) {
      expect(() => store.patch(patch)).toThrow(ValidationError);
    }
    // The valid half of a mixed patch was not applied either.
    const fresh = new SettingsStore(temp.reopen());
    expect(fresh.get().autoLockSeconds).toBe(900);
    expect(fresh.get().linkPreviews).toBe(false);
  });

  it('refuses a proxy password without a username when it is saved, not later when connecting', () => {
    const store = new SettingsStore(temp.db);
    expect(() =>
      store.patch({ proxy: { mode: 'socks5', host: 'x.org', port: 1080, password: 'p' } }),
    ).toThrow(new ValidationError('Invalid settings: proxy.password: A proxy password needs a username.'));
    expect(() =>
      store.patch({ proxy: { mode: 'socks5', host: 'x.org', port: 1080, username: 'é'.repeat(128) } }),
    ).toThrow('proxy.username: The proxy username must be 1 to 255 bytes long.');
    const reopened = new SettingsStore(temp.reopen());
    expect(reopened.get().proxy).toEqual(DEFAULT_SETTINGS.proxy);
    const saved = reopened.patch({
      proxy: { mode: 'socks5', host: '[::1]', port: 1080, username: 'u', password: 'p' },
    });
    expect(saved.proxy).toEqual({ mode: 'socks5', host: '::1', port: 1080, username: 'u', password: 'p' });
  });

  it('survives invalid JSON, invalid values and unknown keys in the DB, with a warning', () => {
    const now = Date.now();
    const insert = temp.db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)');
    insert.run('linkPreviews', '{not json', now);
    insert.run('autoLockSeconds', '42', now);
    insert.run('proxy', JSON.stringify({ mode: 'socks5', host: 'x.org', port: -1 }), now);
    insert.run('screenSecurity', 'false', now);
    insert.run('somethingFromTheFuture', '1', now);
    const store = new SettingsStore(temp.db);
    const settings = store.get();
    expect(settings.linkPreviews).toBe(DEFAULT_SETTINGS.linkPreviews);
    expect(settings.autoLockSeconds).toBe(DEFAULT_SETTINGS.autoLockSeconds);
    expect(settings.proxy).toEqual(DEFAULT_SETTINGS.proxy);
    expect(settings.screenSecurity).toBe(false);
    const events = logs.filter((l) => l.level === 'warn').map((l) => `${l.event}:${String(l.fields.key)}`);
    expect(events).toEqual(
      expect.arrayContaining([
        'settings.invalid_json_defaulted:linkPreviews',
        'settings.invalid_value_defaulted:autoLockSeconds',
        'settings.invalid_value_defaulted:proxy',
        'settings.unknown_key_ignored:somethingFromTheFuture',
      ]),
    );
    // Writing over a broken row repairs it.
    store.set('linkPreviews', true);
    expect(new SettingsStore(temp.reopen()).get().linkPreviews).toBe(true);
  });

  it('marks an unreadable proxy row (it must fail closed, not read as "direct") until a proxy is set again', () => {
    const now = Date.now();
    const insert = temp.db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)');
    insert.run('proxy', JSON.stringify({ mode: 'socks5', host: '127.0.0.1', port: 9, password: 'p' }), now);
    const store = new SettingsStore(temp.db);
    expect(store.get().proxy).toEqual({ mode: 'none' });
    expect(store.proxyUnreadable).toBe(true);
    // Other settings do not repair it; setting the proxy (even to the default shown) does, and persists.
    store.set('linkPreviews', true);
    expect(store.proxyUnreadable).toBe(true);
    store.set('proxy', { mode: 'none' });
    expect(store.proxyUnreadable).toBe(false);
    const reopened = new SettingsStore(temp.reopen());
    expect(reopened.proxyUnreadable).toBe(false);
    expect(reopened.get().proxy).toEqual({ mode: 'none' });
    // A readable row and no row at all are both fine.
    expect(new SettingsStore(createTestDb().db).proxyUnreadable).toBe(false);
  });

  it('notifies listeners with the changed keys only, and not for no-op writes', () => {
    const store = new SettingsStore(temp.db);
    const seen: string[][] = [];
    const off = store.onChange((_next, changed) => seen.push([...changed]));
    store.patch({ linkPreviews: false, screenSecurity: false });
    store.patch({ linkPreviews: false });
    store.onChange(() => {
      throw new Error('a broken listener must not break the store');
    });
    store.set('blockUnknownSenders', 'drop');
    off();
    store.set('lockOnSuspend', false);
    expect(seen).toEqual([['screenSecurity'], ['blockUnknownSenders']]);
    expect(logs.some((l) => l.event === 'settings.listener_failed')).toBe(true);
  });

  it('replace() validates a whole settings object; reset() restores defaults', () => {
    const store = new SettingsStore(temp.db);
    const all: Settings = {
      ...DEFAULT_SETTINGS,
      disappearingDefaultSeconds: 604_800,
      proxy: { mode: 'tor' },
    };
    store.replace(all);
    expect(store.get()).toEqual(all);
    expect(() => store.replace({ ...all, linkPreviews: undefined })).toThrow(ValidationError);
    store.reset();
    expect(new SettingsStore(temp.reopen()).get()).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps the proxy password out of the logs and out of the DB file in plaintext', () => {
    const secret = 'Proxy-Password-Marker-7f3a9c';
    const store = new SettingsStore(temp.db);
    store.set('proxy', {
      mode: 'socks5',
      host: 'proxy.example.org',
      port: 1080,
      username: 'u',
      password: secret,
    });
    expect(() =>
      store.patch({ proxy: { mode: 'socks5', host: 'bad host', port: 1, password: secret } }),
    ).toThrow(ValidationError);
    try {
      store.patch({ proxy: { mode: 'socks5', host: 'bad host', port: 1, password: secret } });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(secret);
    }
    temp.close();
    const bytes = readFileSync(temp.path);
    expect(bytes.includes(Buffer.from(secret))).toBe(false);
    expect(bytes.includes(Buffer.from('proxy.example.org'))).toBe(false);
    expect(JSON.stringify(logs)).not.toContain(secret);
  });
});
