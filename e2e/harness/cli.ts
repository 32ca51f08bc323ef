/**
 * `npm run harness`: Carapace in a browser, without Electron. Starts the local demo network with two
 * simulated contacts ("Echo" replies to every message, "Alice" does not), then the web harness on
 * 127.0.0.1, and prints the URL to open (it carries the per-launch token in its hash fragment).
 *
 *   npm run harness -- [--profile DIR] [--offline]
 *
 * --profile: the profile directory (default .profiles/harness, git-ignored); --offline: no demo network.
 * A profile another process has open (the app, another harness, the CLI) is refused at once (exit 1).
 * Runs until Ctrl+C. Demo contacts' numbers are fake numbers made up by the mock server.
 *
 * Started with `node --import tsx/esm` (see package.json), not `tsx`: tsx's CommonJS hook gives the mock
 * server (CommonJS) a second copy of libsignal-client, while Node's own require(esm) shares ours. Error
 * checks do not depend on it (src/signal/libsignal-errors.ts); one copy is simply what production runs.
 */
import { resolve } from 'node:path';
import { explainError } from '../../src/api/contract.js';
import { startDemoNetwork, type DemoNetwork } from '../../src/demo/network.js';
import { ProfileInUseError } from '../../src/errors.js';
import { ProfileLock } from '../../src/vault/index.js';
import { startHarness } from './server.js';

function arg(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const profileDir = resolve(arg('--profile') ?? '.profiles/harness');
try {
  // Creates the directory (0700) and holds the profile until this process exits; the vault shares the hold.
  ProfileLock.acquire(profileDir);
} catch (error) {
  if (!(error instanceof ProfileInUseError)) throw error;
  process.stderr.write(`harness: ${explainError(error.code)} ${error.message}\n`);
  process.exit(1);
}
const offline = process.argv.includes('--offline');

let network: DemoNetwork | undefined;
if (!offline) {
  network = await startDemoNetwork();
  const contacts = [
    await network.createContact('Echo', { echo: true }),
    await network.createContact('Alice'),
  ];
  process.stdout.write('Demo network (mock Signal server) on 127.0.0.1. Simulated contacts:\n');
  for (const contact of contacts) {
    const number = (contact.device.device as { number?: string }).number ?? '(no number)';
    process.stdout.write(`  ${contact.name.padEnd(6)} ${number}  ${contact.aci}\n`);
  }
}
const harness = await startHarness({ profileDir, ...(network ? { demoNetwork: network } : {}) });
process.stdout.write(
  `\nProfile: ${profileDir}\nOpen this URL in a browser (the token is single-launch):\n\n  ${harness.url}\n\n`,
);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await harness.close();
  await network?.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
