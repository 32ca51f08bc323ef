/**
 * `npm run demo-server [-- --config-out <file>] [--port <n>] [--contacts Alice,Bob]`
 *
 * Starts the local demo network (mock Signal server on 127.0.0.1 with its published TLS CA and trust
 * roots), creates simulated contacts — always one named "Echo" that answers every text message — writes
 * the client config JSON (to --config-out, and to stdout), and runs until SIGINT/SIGTERM (then closes
 * within CLOSE_LIMIT_MS; a second signal exits at once).
 *
 * DEMO ONLY: the CA and trust-root private keys of this network are public. Never use it for real
 * conversations.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startDemoNetwork } from './network.js';

/** SIGINT/SIGTERM exit within this, even if a client never acknowledges what the server sent it. */
const CLOSE_LIMIT_MS = 5_000;

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'config-out': { type: 'string' },
      port: { type: 'string', default: '0' },
      contacts: { type: 'string', default: 'Alice,Bob' },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be 0..65535');

  const network = await startDemoNetwork({ port });
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) {
      out(`demo-server: ${signal} again, exiting now`);
      process.exit(1);
    }
    closing = true;
    out(`demo-server: ${signal}, closing`);
    // network.close() is bounded itself; this is the last resort should anything else hold it up.
    setTimeout(() => {
      out('demo-server: close took too long, exiting');
      process.exit(1);
    }, CLOSE_LIMIT_MS).unref();
    network.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  const names = values.contacts
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n.length > 0 && n !== 'Echo');
  const echo = await network.createContact('Echo', { echo: true });
  const others = [];
  for (const name of names) others.push(await network.createContact(name));

  const json = `${JSON.stringify(network.config, null, 2)}\n`;
  if (values['config-out']) await writeFile(values['config-out'], json, { mode: 0o600 });
  out(
    `demo-server: DEMO network on ${network.config.chat.host}:${network.config.chat.port} (not private: published keys)`,
  );
  for (const c of [echo, ...others]) out(`demo-server: contact ${c.name} aci=${c.aci}`);
  if (values['config-out']) out(`demo-server: config written to ${values['config-out']}`);
  out('demo-server: config follows');
  process.stdout.write(json);
  out('demo-server: ready (Ctrl+C to stop)');
}

main().catch((error: unknown) => {
  process.stderr.write(`demo-server: failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
