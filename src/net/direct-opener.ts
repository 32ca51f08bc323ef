import { connect, type Socket } from 'node:net';
import { NetworkError } from '../errors.js';
import type { NetTarget, SocketOpener } from './socket-opener.js';

/** Opens a plain TCP connection straight to the target (no proxy). TLS is added by the transport. */
export const directSocketOpener: SocketOpener = (target: NetTarget, signal?: AbortSignal) =>
  new Promise<Socket>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new NetworkError('Connection aborted', { cause: signal.reason }));
      return;
    }
    const socket = connect({ host: target.host, port: target.port });
    const onAbort = (): void => {
      socket.destroy();
      reject(new NetworkError('Connection aborted', { cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal?.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
      resolve(socket);
    });
    const onError = (error: Error): void => {
      signal?.removeEventListener('abort', onAbort);
      reject(new NetworkError('Could not connect to the server', { cause: error }));
    };
    socket.once('error', onError);
  });
