/**
 * Test support for the private-networking tests (never imported by app code): a real Debian `microsocks`
 * started on 127.0.0.1, a throwaway self-signed TLS certificate, and a TLS server that counts every TCP
 * connection it accepts and records who connected.
 *
 * microsocks is started with `-b 127.0.0.2`: its outgoing connections leave from 127.0.0.2, while anything
 * this process opens directly comes from 127.0.0.1. The target can therefore tell proxied connections from
 * direct ones by the peer address alone.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const MICROSOCKS_PATH = '/usr/bin/microsocks';
/** The source address microsocks uses for its outgoing connections in these tests. */
export const PROXY_EGRESS_ADDRESS = '127.0.0.2';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether nothing listens on `port` on 127.0.0.1 now (it was bound and released). */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free port for a proxy that a test stops and starts again on the same port, chosen below the kernel's
 * ephemeral range (32768–60999 on Linux; `listen(0)` draws from it). While such a proxy is "down", no other
 * test's server can be handed its port: one was, and a reconnect then waited 30 s for a SOCKS answer from
 * a stranger instead of failing at once.
 */
async function proxyPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await bindable(port)) return port;
  }
  return freePort();
}

async function waitForListening(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`microsocks exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const probe = net.connect({ host: '127.0.0.1', port });
      probe.once('connect', () => {
        probe.destroy();
        resolve(true);
      });
      probe.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('microsocks did not start listening');
}

export interface Microsocks {
  readonly host: string;
  readonly port: number;
  /** Everything microsocks printed (it logs `client[n] ADDR: connected to HOST:PORT` per connection). */
  output(): string;
  /** Target lines `HOST:PORT` from microsocks' "connected to" log lines, in order. */
  connectedTargets(): string[];
  /** Waits until microsocks has logged at least `count` connections (its log is written asynchronously). */
  waitForConnections(count: number): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startMicrosocks(
  /** `port`: listen there (e.g. the port of a stopped proxy, to bring "the same proxy" back). */
  options: { username?: string; password?: string; port?: number } = {},
): Promise<Microsocks> {
  const port = options.port ?? (await proxyPort());
  const args = ['-i', '127.0.0.1', '-p', String(port), '-b', PROXY_EGRESS_ADDRESS];
  if (options.username !== undefined) args.push('-u', options.username, '-P', options.password ?? '');
  const child = spawn(MICROSOCKS_PATH, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  await waitForListening(port, child);
  const connectedTargets = (): string[] =>
    [...text.matchAll(/connected to (\S+)/g)].map((match) => match[1] ?? '');
  return {
    host: '127.0.0.1',
    port,
    output: () => text,
    connectedTargets,
    async waitForConnections(count: number): Promise<string[]> {
      for (let attempt = 0; attempt < 100 && connectedTargets().length < count; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return connectedTargets();
    },
    async stop(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}

export interface TestCert {
  readonly key: string;
  readonly cert: string;
}

/** A self-signed certificate for `localhost` / 127.0.0.1, made with openssl in a temp dir. */
export function makeSelfSignedCert(commonName = 'localhost'): TestCert {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'carapace-cert-'));
  try {
    const keyPath = path.join(dir, 'key.pem');
    const certPath = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        `/CN=${commonName}`,
        '-addext',
        `subjectAltName=DNS:${commonName},IP:127.0.0.1`,
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress: string;
}

export interface CountingTlsServer {
  readonly port: number;
  /** Accepted TCP connections (counted before TLS), by peer address. */
  readonly connections: string[];
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export type TestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** An HTTPS server on 127.0.0.1 that records every accepted TCP connection and every request. */
export async function startCountingTlsServer(
  cert: TestCert,
  handler: TestHandler,
): Promise<CountingTlsServer> {
  const connections: string[] = [];
  const requests: RecordedRequest[] = [];
  const server = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress ?? '',
    });
    handler(req, res);
  });
  server.on('connection', (socket: net.Socket) => {
    connections.push(socket.remoteAddress ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    connections,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
