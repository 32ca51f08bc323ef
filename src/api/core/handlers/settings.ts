/** The user's settings: read, and patch (the auto-lock timer and the network route follow at once). */
import type { CoreContext, Handlers } from '../context.js';

export function settingsHandlers(ctx: CoreContext) {
  return {
    'settings.get': () => Promise.resolve({ ...ctx.session().settings.get() }),
    'settings.update': ({ patch }) => {
      const s = ctx.session();
      const before = JSON.stringify(s.settings.get().proxy);
      const wasUnreadable = s.settings.proxyUnreadable;
      const next = s.settings.patch(patch);
      ctx.applyAutoLock(next);
      // Every connection must follow the new route at once (never keep a direct socket after Tor is set);
      // a proxy set again over an unreadable row lifts the refusal even when it equals the default shown.
      const repaired = wasUnreadable && !s.settings.proxyUnreadable;
      if (JSON.stringify(next.proxy) !== before || repaired) void s.followRoute(next);
      return Promise.resolve({ ...next });
    },
  } satisfies Partial<Handlers>;
}
