/**
 * The username service of a session: gRPC to the configured chat service through the session's route
 * (proxy / Tor), one HTTP/2 session per command, closed when the command ends. Authenticated calls use the
 * registered account's login; lookups go without it.
 */
import { UsernameService } from '../../account/username-service.js';
import { GrpcClient } from '../../net/grpc.js';
import { AccountsGrpc } from '../../net/grpc-accounts.js';
import type { Session } from './session.js';

export async function withUsernames<T>(
  s: Session,
  use: (service: UsernameService) => Promise<T>,
  options: { readonly authenticated: boolean } = { authenticated: true },
): Promise<T> {
  const login = options.authenticated ? s.login() : undefined;
  const { config, openSocket } = s.endpoint();
  const grpc = new GrpcClient({ endpoint: config.chat, trustRootsPem: config.tlsTrustRootsPem, openSocket });
  try {
    const auth = login ? { username: `${login.aci}.${login.deviceId}`, password: login.password } : undefined;
    const accounts = new AccountsGrpc(grpc, auth);
    return await use(
      new UsernameService(accounts, s.kv, (write) => s.exclusive(() => Promise.resolve(write())), login?.aci),
    );
  } finally {
    grpc.close();
  }
}
