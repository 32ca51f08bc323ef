/**
 * Test support (never imported by app code): a real Debian nginx with the stream module, set up like
 * signalapp/Signal-TLS-Proxy — a server that terminates the outer TLS with a test certificate and passes
 * the stream to an `ssl_preread` relay, which forwards it by the inner ClientHello's SNI to the mapped
 * upstream and denies every other name (an upstream that refuses, as Signal's `deny` does).
 *
 * It runs as a non-daemon child of the test with its config, logs and pid in a temp dir, on 127.0.0.1 ports.
 * The relay connects upstream from RELAY_EGRESS_ADDRESS, so a server can tell relayed connections from
 * direct ones (127.0.0.1) by the peer address alone. Its access log records each relayed connection's SNI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, makeSelfSignedCert } from './socks.js';

const NGINX_PATH = '/usr/sbin/nginx';
const STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';
/** The source address of the relay's upstream connections in these tests. */
export const RELAY_EGRESS_ADDRESS = '127.0.0.3';

export interface SignalTlsProxyOptions {
  /** Inner SNI → `host:port` the relay forwards it to; every other name is denied. */
  readonly relay: Readonly<Record<string, string>>;
  /** The proxy's name, in its certificate (resolvable: default `localhost`). */
  readonly name?: string;
}

export interface SignalTlsProxy {
  readonly host: string;
  readonly port: number;
  /** PEM of the proxy's self-signed certificate, to trust it in tests. */
  readonly certPem: string;
  /** The SNI of every connection the relay has finished, from its access log (`-` when none was sent). */
  relayedNames(): string[];
  stop(): Promise<void>;
}

/** Whether nginx and its stream module are installed (`npm run setup` installs them). */
export function nginxAvailable(): boolean {
  return existsSync(NGINX_PATH) && existsSync(STREAM_MODULE);
}

async function waitForPort(port: number, child: ChildProcess, errorLog: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (child.exitCode !== null) {
      throw new Error(`nginx exited with code ${child.exitCode}: ${readLog(errorLog)}`);
    }
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
  throw new Error(`nginx did not start listening: ${readLog(errorLog)}`);
}

function readLog(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

export async function startSignalTlsProxy(options: SignalTlsProxyOptions): Promise<SignalTlsProxy> {
  const name = options.name ?? 'localhost';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'carapace-nginx-'));
  const cert = makeSelfSignedCert(name);
  writeFileSync(path.join(dir, 'cert.pem'), cert.cert);
  writeFileSync(path.join(dir, 'key.pem'), cert.key, { mode: 0o600 });
  const [outerPort, relayPort] = [await freePort(), await freePort()];
  const names = Object.entries(options.relay);
  const config = `
load_module ${STREAM_MODULE};
daemon off;
worker_processes 1;
worker_shutdown_timeout 500ms;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 256; }
stream {
  log_format relay '$ssl_preread_server_name $upstream_addr';
  map $ssl_preread_server_name $name {
${names.map(([sni], index) => `    ${sni} upstream${index};`).join('\n')}
    default deny;
  }
${names.map(([, target], index) => `  upstream upstream${index} { server ${target}; }`).join('\n')}
  # Like Signal-TLS-Proxy: an upstream nothing listens on, so a name not mapped is refused.
  upstream deny { server 127.0.0.1:9; }
  server {
    listen 127.0.0.1:${outerPort} ssl;
    ssl_certificate ${dir}/cert.pem;
    ssl_certificate_key ${dir}/key.pem;
    proxy_pass 127.0.0.1:${relayPort};
    access_log off;
  }
  server {
    listen 127.0.0.1:${relayPort};
    ssl_preread on;
    proxy_pass $name;
    proxy_bind ${RELAY_EGRESS_ADDRESS};
    access_log ${dir}/relay.log relay;
  }
}
`;
  const configFile = path.join(dir, 'nginx.conf');
  writeFileSync(configFile, config);
  const errorLog = path.join(dir, 'error.log');
  const child = spawn(NGINX_PATH, ['-p', dir, '-e', errorLog, '-c', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.resume();
  try {
    // nginx opens every listener before it accepts: probing the relay too would add a line to its log.
    await waitForPort(outerPort, child, errorLog);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const relayLog = path.join(dir, 'relay.log');
  /** The relay log as nginx left it (the temp dir is gone after stop). */
  let finalLog: string | undefined;
  return {
    host: name,
    port: outerPort,
    certPem: cert.cert,
    relayedNames: () =>
      (finalLog ?? readLog(relayLog))
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => line.split(' ')[0] ?? ''),
    async stop() {
      if (finalLog !== undefined) return;
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        // Graceful shutdown, cut after worker_shutdown_timeout: open relays are closed AND logged.
        child.kill('SIGQUIT');
        await exited;
      }
      finalLog = readLog(relayLog);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
