/**
 * What this build is (version, network mode, platform facts) and the connection state now. Both answer
 * without an unlocked vault.
 */
import { VaultLockedError } from '../../../errors.js';
import { capabilitiesOf } from '../../../net/config.js';
import type { CoreContext, Handlers } from '../context.js';

export function appHandlers(ctx: CoreContext) {
  const { options, config } = ctx;
  return {
    'app.info': () =>
      Promise.resolve({
        version: options.version ?? '0.1.0',
        networkMode: config ? config.mode : ('offline' as const),
        screenSecuritySupported: options.platform?.screenSecuritySupported ?? false,
        platform: options.platform?.name ?? process.platform,
        capabilities: { ...capabilitiesOf(config) },
        nativeFileDialogs: options.pickFiles !== undefined && options.chooseSavePath !== undefined,
      }),
    'network.status': () => {
      try {
        return Promise.resolve(ctx.session().connection.status);
      } catch (error) {
        if (error instanceof VaultLockedError) return Promise.resolve({ status: 'offline' as const });
        throw error;
      }
    },
  } satisfies Partial<Handlers>;
}
