/** What this build is: version, network mode, platform facts. Answers without an unlocked vault. */
import { capabilitiesOf } from '../../../net/config.js';
import type { CoreContext, Handlers } from '../context.js';

export function appHandlers({ options, config }: CoreContext) {
  return {
    'app.info': () =>
      Promise.resolve({
        version: options.version ?? '0.1.0',
        networkMode: config ? config.mode : ('offline' as const),
        screenSecuritySupported: options.platform?.screenSecuritySupported ?? false,
        platform: options.platform?.name ?? process.platform,
        capabilities: { ...capabilitiesOf(config) },
      }),
  } satisfies Partial<Handlers>;
}
