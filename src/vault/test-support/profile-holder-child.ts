/**
 * Tests only: opens (creates when new) the vault of a profile and holds it, as the app or the CLI would,
 * printing "ready". A line "lock" on stdin locks the vault (reason "user": the process keeps the
 * profile) and prints "locked"; "shutdown" locks with reason "shutdown" and prints "released".
 * argv: profileDir passphrase
 */
import { createInterface } from 'node:readline';
import { setLogSink } from '../../log.js';
import { TEST_KDF } from '../../test-support/vault.js';
import { Vault } from '../vault.js';

const [dir, passphrase] = process.argv.slice(2);
if (!dir || !passphrase) throw new Error('usage: profile-holder-child <dir> <pass>');
setLogSink(() => {});
const vault = new Vault(dir, { kdf: TEST_KDF });
if (vault.state === 'uninitialized') await vault.create(Buffer.from(passphrase));
else await vault.unlock(Buffer.from(passphrase));
process.stdout.write('ready\n');
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'lock') {
    vault.lock('user');
    process.stdout.write('locked\n');
  } else if (line === 'shutdown') {
    vault.lock('shutdown');
    process.stdout.write('released\n');
  }
});
setInterval(() => {}, 1_000);
