/** What this build is: version, network mode, platform facts. Answers without an unlocked vault. */
import type { CoreContext } from '../context.js';
import type { Handlers } from '../context.js';

export function appHandlers({ options, config }: CoreContext) {
  return {
    'app.info': () =>
      Promise.resolve({
        version: options.version ?? '0.1.0',
        networkMode: config ? config.mode : ('offline' as const),
        screenSecuritySupported: options.platform?.screenSecuritySupported ?? false,
        platform: options.platform?.name ?? process.platform,
      }),
  } satisfies Partial<Handlers>;
}
