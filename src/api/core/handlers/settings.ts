/**
 * The user's settings: read, and patch (the auto-lock timer and the network route follow at once). The UI
 * gets settingsView (no proxy password); a patch's SOCKS5 password is write-only (see proxyToStore).
 */
import { proxySettingSchema, type ProxySetting } from '../../../settings/schema.js';
import { settingsView, type ProxyPatch, type SettingsUpdate } from '../../contract.js';
import type { CoreContext, Handlers } from '../context.js';

/**
 * The proxy to store for a patch: a password given is set, `null` removes it, and a patch without one keeps
 * the stored password only for the same host, port and username — so a patch cannot send the stored secret
 * to another proxy (or as another user).
 */
function proxyToStore(patch: ProxyPatch, stored: ProxySetting): unknown {
  if (patch.mode !== 'socks5') return patch;
  if (patch.password === null) {
    const { password: _cleared, ...rest } = patch;
    return rest;
  }
  if (patch.password !== undefined || stored.mode !== 'socks5' || stored.password === undefined) return patch;
  const wanted = proxySettingSchema.safeParse(patch);
  if (!wanted.success || wanted.data.mode !== 'socks5') return patch; // the store reports what is wrong
  const same =
    wanted.data.host === stored.host &&
    wanted.data.port === stored.port &&
    wanted.data.username === stored.username;
  return same ? { ...wanted.data, password: stored.password } : patch;
}

function toStore(patch: SettingsUpdate, stored: ProxySetting): unknown {
  return patch.proxy === undefined ? patch : { ...patch, proxy: proxyToStore(patch.proxy, stored) };
}

export function settingsHandlers(ctx: CoreContext) {
  return {
    'settings.get': () => Promise.resolve(settingsView(ctx.session().settings.get())),
    'settings.update': ({ patch }) => {
      const s = ctx.session();
      const stored = s.settings.get().proxy;
      const before = JSON.stringify(stored);
      const wasUnreadable = s.settings.proxyUnreadable;
      const next = s.settings.patch(toStore(patch, stored));
      ctx.applyAutoLock(next);
      // Every connection must follow the new route at once (never keep a direct socket after Tor is set);
      // a proxy set again over an unreadable row lifts the refusal even when it equals the default shown.
      const repaired = wasUnreadable && !s.settings.proxyUnreadable;
      if (JSON.stringify(next.proxy) !== before || repaired) void s.followRoute(next);
      return Promise.resolve(settingsView(next));
    },
  } satisfies Partial<Handlers>;
}
